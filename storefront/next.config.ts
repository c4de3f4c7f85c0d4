import type { NextConfig } from 'next';

const config: NextConfig = {
  poweredByHeader: false,
  reactStrictMode: true,
  // Shared plumbing ships as TypeScript source (packages/next-kit).
  transpilePackages: ['@commerce/next-kit'],
  // The whole repository is typechecked by `npm test` (turbo typecheck); the build need not do it twice.
  typescript: { ignoreBuildErrors: true },
  images: {
    // Product images are generated SVGs served by this app (src/app/media); nothing comes from the internet.
    dangerouslyAllowSVG: true,
    contentDispositionType: 'inline',
    contentSecurityPolicy: "default-src 'none'; style-src 'unsafe-inline'; sandbox;",
  },
};

export default config;
