import { parseProductArtFile, productArtSvg } from '@/lib/catalog/product-art';

/**
 * GET /media/products/<slug>-<n>.svg: the demo catalog's generated product
 * image (the seed stores these root-relative URLs). Deterministic, so it is
 * cached for a year and never changes under its name.
 */
export async function GET(_request: Request, { params }: { params: Promise<{ file: string }> }): Promise<Response> {
  const parsed = parseProductArtFile((await params).file);
  if (!parsed) return new Response('Not found', { status: 404, headers: { 'content-type': 'text/plain' } });
  return new Response(productArtSvg(parsed.slug, parsed.index), {
    headers: {
      'content-type': 'image/svg+xml; charset=utf-8',
      'cache-control': 'public, max-age=31536000, immutable',
      'content-security-policy': "default-src 'none'; style-src 'unsafe-inline'",
      'x-content-type-options': 'nosniff',
    },
  });
}
