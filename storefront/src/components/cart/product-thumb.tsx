import Image from 'next/image';

/** A line's product image at a fixed small size (the catalog's generated SVGs need no resizing). */
export function ProductThumb({ image, size = 96 }: { image: { url: string; altText: string } | undefined; size?: number }) {
  if (!image) return <div className="product-thumb product-thumb--empty" style={{ width: size, height: size }} aria-hidden="true" />;
  return (
    <Image
      className="product-thumb"
      src={image.url}
      alt={image.altText}
      width={size}
      height={size}
      sizes={`${size}px`}
      unoptimized={image.url.endsWith('.svg') || /^https?:/.test(image.url)}
    />
  );
}
