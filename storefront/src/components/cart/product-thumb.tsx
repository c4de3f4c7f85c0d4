import { getImageProps } from 'next/image';

/** A line's product image at a fixed small size (the catalog's generated SVGs need no resizing); a plain `<img>`, as ProductImage explains. */
export function ProductThumb({ image, size = 96 }: { image: { url: string; altText: string } | undefined; size?: number }) {
  if (!image) return <div className="product-thumb product-thumb--empty" style={{ width: size, height: size }} aria-hidden="true" />;
  const { props } = getImageProps({
    className: 'product-thumb',
    src: image.url,
    alt: image.altText,
    width: size,
    height: size,
    sizes: `${size}px`,
    unoptimized: image.url.endsWith('.svg') || /^https?:/.test(image.url),
  });
  // biome-ignore lint/performance/noImgElement: next/image sizing via getImageProps, with no client component
  return <img {...props} alt={image.altText} />;
}
