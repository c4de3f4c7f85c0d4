import type { NextConfig } from 'next';

const config: NextConfig = {
  poweredByHeader: false,
  reactStrictMode: true,
  // Shared plumbing ships as TypeScript source (packages/next-kit).
  transpilePackages: ['@commerce/next-kit'],
  // The whole repository is typechecked by `npm test` (turbo typecheck); the build need not do it twice.
  typescript: { ignoreBuildErrors: true },
  // forbidden() and app/forbidden.tsx: a signed-in customer gets a real 403 page.
  experimental: { authInterrupts: true },
  async headers() {
    // Nothing of the console is ever stored by a browser or a proxy, nor framed by another site.
    return [
      {
        source: '/((?!_next/static).*)',
        headers: [
          { key: 'Cache-Control', value: 'private, no-store' },
          { key: 'X-Frame-Options', value: 'DENY' },
          { key: 'Referrer-Policy', value: 'same-origin' },
          { key: 'X-Robots-Tag', value: 'noindex, nofollow' },
        ],
      },
    ];
  },
};

export default config;
