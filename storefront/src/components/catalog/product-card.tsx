import Link from 'next/link';
import type { ProductCardFragment } from '@/graphql/generated/graphql';
import { formatMoney } from '@/lib/money';
import { ImagePlaceholder, ProductImage } from './product-image';
import { Rating } from './rating';

const CARD_SIZES = '(max-width: 480px) 50vw, (max-width: 800px) 33vw, (max-width: 1200px) 25vw, 280px';

export function PriceLabel({ range }: { range: ProductCardFragment['priceRange'] }) {
  if (!range) return <p className="price muted">Not sold in this currency</p>;
  const same = range.min.amountMinor === range.max.amountMinor;
  return <p className="price">{same ? formatMoney(range.min) : `From ${formatMoney(range.min)}`}</p>;
}

/** One product in a grid; the name is the link (its box covers the card). */
export function ProductCard({ product, preload = false }: { product: ProductCardFragment; preload?: boolean }) {
  const image = product.images[0];
  return (
    <article className="product-card">
      <div className="product-card__media">
        {image ? (
          <ProductImage url={image.url} alt={image.altText || product.name} sizes={CARD_SIZES} size={400} preload={preload} />
        ) : (
          <ImagePlaceholder label={product.name} />
        )}
      </div>
      <div className="product-card__body">
        {product.brand ? <p className="product-card__brand muted">{product.brand}</p> : null}
        <h3 className="product-card__name">
          <Link href={`/p/${product.slug}`} className="product-card__link">
            {product.name}
          </Link>
        </h3>
        <PriceLabel range={product.priceRange} />
        <Rating average={product.rating.average} count={product.rating.count} compact />
        {product.inStock ? null : <p className="stock stock--out">Out of stock</p>}
      </div>
    </article>
  );
}

export function ProductGrid({ products, label, preloadFirst = 0 }: { products: ProductCardFragment[]; label: string; preloadFirst?: number }) {
  return (
    <ul className="product-grid" aria-label={label}>
      {products.map((product, index) => (
        <li key={product.id}>
          <ProductCard product={product} preload={index < preloadFirst} />
        </li>
      ))}
    </ul>
  );
}
