import Image from 'next/image';

/**
 * A product image through next/image. Root-relative URLs (the demo catalog's
 * generated SVGs under /media) come from this shop; SVGs and images on other
 * hosts are served as they are (`unoptimized`), so no remote host needs
 * configuring and nothing leaves the shop for the demo catalog.
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
  return (
    <Image
      src={url}
      alt={alt}
      width={size}
      height={size}
      sizes={sizes}
      unoptimized={unoptimized}
      preload={preload}
      {...(preload ? { fetchPriority: 'high' as const } : {})}
      className={className}
    />
  );
}

/** For a product without images: a neutral square of the same size, so the grid does not shift. */
export function ImagePlaceholder({ label }: { label: string }) {
  return (
    <div className="image-placeholder" role="img" aria-label={label}>
      <span aria-hidden="true">No image</span>
    </div>
  );
}
