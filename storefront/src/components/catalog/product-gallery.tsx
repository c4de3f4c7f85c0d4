'use client';
import { useState } from 'react';
import { ProductImage } from './product-image';

const MAIN_SIZES = '(max-width: 800px) 100vw, 560px';

/**
 * The product's images: the first one is rendered on the server and preloaded
 * (it is the page's largest paint); thumbnails switch the main image.
 */
export function ProductGallery({ images, name }: { images: { url: string; altText: string }[]; name: string }) {
  const [index, setIndex] = useState(0);
  const current = images[index] ?? images[0];
  if (!current) {
    return (
      <div className="gallery">
        <div className="gallery__main image-placeholder" role="img" aria-label={name}>
          <span aria-hidden="true">No image</span>
        </div>
      </div>
    );
  }
  return (
    <div className="gallery">
      <div className="gallery__main">
        <ProductImage key={current.url} url={current.url} alt={current.altText || name} sizes={MAIN_SIZES} preload={index === 0} />
      </div>
      {images.length > 1 ? (
        <ul className="gallery__thumbs" aria-label="Product images">
          {images.map((image, i) => (
            <li key={image.url}>
              <button
                type="button"
                className="gallery__thumb"
                aria-pressed={i === index}
                aria-label={`Show image ${i + 1} of ${images.length}`}
                onClick={() => setIndex(i)}
              >
                <ProductImage url={image.url} alt="" sizes="72px" size={144} />
              </button>
            </li>
          ))}
        </ul>
      ) : null}
    </div>
  );
}
