import { getImageProps } from 'next/image';

/**
 * A product image: next/image's sizing (srcset, sizes, width and height, lazy
 * loading) rendered as a plain `<img>` through `getImageProps`. The `<Image>`
 * component would hydrate every picture of a grid in the browser, for no
 * behaviour a product image needs; this costs no JavaScript in a server
 * component. Root-relative URLs (the demo catalog's generated SVGs under
 * /media) come from this shop; SVGs and images on other hosts are served as
 * they are (`unoptimized`), so no remote host needs configuring and nothing
 * leaves the shop for the demo catalog.
 */
export function ProductImage({
  url,
  alt,
  sizes,
  size = 800,
  preload = false,
  className,
}: {
  url: string;
  alt: string;
  sizes: string;
  size?: number;
  preload?: boolean;
  className?: string;
}) {
  const local = url.startsWith('/') && !url.startsWith('//');
  const unoptimized = !local || /\.svg(?:$|\?)/i.test(url);
  const { props } = getImageProps({
    src: url,
    alt,
    width: size,
    height: size,
    sizes,
    unoptimized,
    // The page's largest paint is fetched first and never lazily.
    ...(preload ? { loading: 'eager' as const, fetchPriority: 'high' as const } : {}),
    className,
  });
  // biome-ignore lint/performance/noImgElement: next/image sizing via getImageProps, with no client component
  return <img {...props} alt={alt} />;
}

/** For a product without images: a neutral square of the same size, so the grid does not shift. */
export function ImagePlaceholder({ label }: { label: string }) {
  return (
    <div className="image-placeholder" role="img" aria-label={label}>
      <span aria-hidden="true">No image</span>
    </div>
  );
}
