import type { Metadata } from 'next';
import Link from 'next/link';
import { notFound } from 'next/navigation';
import { AddToCartForm } from '@/components/cart/add-to-cart-form';
import { Breadcrumbs } from '@/components/catalog/breadcrumbs';
import { ProductGallery } from '@/components/catalog/product-gallery';
import { Rating } from '@/components/catalog/rating';
import { ReviewForm } from '@/components/catalog/review-form';
import type { SearchParams } from '@/lib/catalog/listing';
import {
  type ProductDetail,
  type VariantDetail,
  getProduct,
  optionGroups,
  selectVariant,
  stockMessage,
  variantFor,
} from '@/lib/catalog/product';
import { formatMoney } from '@/lib/money';
import { absoluteImageUrl, absoluteUrl, jsonLdString, metaDescription, priceDecimalString } from '@/lib/seo';
import { currency, isSignedIn } from '@/lib/session';

interface Props {
  params: Promise<{ slug: string }>;
  searchParams: Promise<SearchParams>;
}

function param(params: SearchParams, key: string): string | null {
  const value = params[key];
  return (Array.isArray(value) ? value[0] : value) || null;
}

export async function generateMetadata({ params, searchParams }: Props): Promise<Metadata> {
  const [{ slug }, query, shopperCurrency] = await Promise.all([params, searchParams, currency()]);
  const product = await getProduct(slug, shopperCurrency, param(query, 'reviews'));
  if (!product) return { title: 'Product not found', robots: { index: false } };
  const description = metaDescription(product.description, `${product.name} at Commerce.`);
  const path = `/p/${product.slug}`;
  return {
    title: product.brand ? `${product.name} by ${product.brand}` : product.name,
    description,
    // Variant and review-page URLs are the same product: one canonical URL.
    alternates: { canonical: path },
    openGraph: {
      type: 'website',
      title: product.name,
      description,
      url: path,
      images: product.images.map((image) => ({ url: absoluteImageUrl(image.url), alt: image.altText || product.name, width: 800, height: 800 })),
    },
  };
}

export default async function ProductPage({ params, searchParams }: Props) {
  const [{ slug }, query, shopperCurrency, signedIn] = await Promise.all([params, searchParams, currency(), isSignedIn()]);
  const reviewsAfter = param(query, 'reviews');
  const product = await getProduct(slug, shopperCurrency, reviewsAfter);
  if (!product) notFound();
  const variant = selectVariant(product, param(query, 'variant'));
  const path = `/p/${product.slug}`;
  const stock = variant ? stockMessage(variant.availability) : { text: 'Out of stock', tone: 'out' as const };
  const purchasable = Boolean(variant?.availability.inStock && variant.price);

  return (
    <>
      <Breadcrumbs
        trail={[...product.category.ancestors, product.category].map((c) => ({ href: `/c/${c.slug}`, name: c.name }))}
        current={product.name}
      />
      <article className="product">
        <ProductGallery images={product.images} name={product.name} />
        <div className="product__info">
          {product.brand ? <p className="product__brand muted">{product.brand}</p> : null}
          <h1 className="product__name">{product.name}</h1>
          <a href="#reviews" className="product__rating-link">
            <Rating average={product.rating.average} count={product.rating.count} />
          </a>
          <p className="product__price price" data-testid="product-price">
            {variant?.price ? formatMoney(variant.price) : `Not sold in ${shopperCurrency}`}
          </p>
          <p className={`stock stock--${stock.tone}`} data-testid="stock-message">
            {stock.text}
          </p>
          {variant ? <VariantPicker product={product} current={variant} path={path} /> : null}
          {variant ? (
            <div className="product__buy">
              <AddToCartForm variantId={variant.id} disabled={!purchasable} />
              <p className="muted product__sku">SKU {variant.sku}</p>
            </div>
          ) : null}
          <section className="product__description" aria-labelledby="description-heading">
            <h2 id="description-heading">Description</h2>
            <p>{product.description || 'No description yet.'}</p>
          </section>
        </div>
      </article>
      <Reviews product={product} path={path} variant={variant} reviewsAfter={reviewsAfter} signedIn={signedIn} />
      {/* biome-ignore lint/security/noDangerouslySetInnerHtml: JSON-LD must be raw JSON; jsonLdString escapes "<" so nothing can close the script */}
      <script type="application/ld+json" dangerouslySetInnerHTML={{ __html: jsonLdString(productJsonLd(product, variant)) }} />
    </>
  );
}

/** One group per option (Size, Colour…); each value links to the variant it selects, so the choice lives in the URL. */
function VariantPicker({ product, current, path }: { product: ProductDetail; current: VariantDetail; path: string }) {
  const groups = optionGroups(product);
  if (product.variants.length <= 1 && groups.every((group) => group.values.length <= 1)) {
    return groups.length ? (
      <p className="variant-summary">{current.options.map((o) => `${o.name}: ${o.value}`).join(' · ')}</p>
    ) : null;
  }
  return (
    <div className="variant-picker">
      {groups.map((group) => {
        const selectedValue = current.options.find((o) => o.name === group.name)?.value;
        const headingId = `option-${group.name.toLowerCase().replace(/[^a-z0-9]+/g, '-')}`;
        return (
          <fieldset key={group.name} className="variant-picker__group">
            <legend id={headingId} className="variant-picker__label">
              {group.name}: <strong>{selectedValue ?? '—'}</strong>
            </legend>
            <ul className="variant-picker__values">
              {group.values.map((value) => {
                const target = variantFor(product, current, group.name, value);
                const selected = value === selectedValue;
                const unavailable = !target?.availability.inStock;
                if (!target) return null;
                return (
                  <li key={value}>
                    <Link
                      href={`${path}?variant=${encodeURIComponent(target.sku)}`}
                      className="variant-option"
                      aria-current={selected ? 'true' : undefined}
                      data-unavailable={unavailable ? 'true' : undefined}
                      replace
                      scroll={false}
                    >
                      {value}
                      {unavailable ? <span className="visually-hidden"> (out of stock)</span> : null}
                      {selected ? <span className="visually-hidden"> (selected)</span> : null}
                    </Link>
                  </li>
                );
              })}
            </ul>
          </fieldset>
        );
      })}
    </div>
  );
}

function Reviews({
  product,
  path,
  variant,
  reviewsAfter,
  signedIn,
}: {
  product: ProductDetail;
  path: string;
  variant: VariantDetail | undefined;
  reviewsAfter: string | null;
  signedIn: boolean;
}) {
  const { reviews } = product;
  const variantParam = variant ? `variant=${encodeURIComponent(variant.sku)}` : '';
  const join = (...parts: string[]) => {
    const query = parts.filter(Boolean).join('&');
    return query ? `${path}?${query}` : path;
  };
  return (
    <section id="reviews" className="reviews" aria-labelledby="reviews-heading">
      <h2 id="reviews-heading">Reviews ({reviews.totalCount})</h2>
      <Rating average={product.rating.average} count={product.rating.count} />
      {reviews.edges.length ? (
        <ol className="reviews__list">
          {reviews.edges.map(({ node }) => (
            <li key={node.id}>
              <article className="review">
                <h3 className="review__title">{node.title}</h3>
                <p className="review__meta">
                  <span className="visually-hidden">Rated {node.rating} out of 5</span>
                  <span aria-hidden="true" className="rating__stars">
                    {'★'.repeat(node.rating)}
                    <span className="rating__empty">{'★'.repeat(5 - node.rating)}</span>
                  </span>{' '}
                  <span className="muted">
                    by {node.author?.name ?? 'a former customer'} on{' '}
                    <time dateTime={node.createdAt}>
                      {new Date(node.createdAt).toLocaleDateString('en-US', { year: 'numeric', month: 'long', day: 'numeric', timeZone: 'UTC' })}
                    </time>
                  </span>
                </p>
                {node.body ? <p className="review__body">{node.body}</p> : null}
              </article>
            </li>
          ))}
        </ol>
      ) : (
        <p>{reviewsAfter ? 'No more reviews.' : 'No reviews yet. Be the first to review this product.'}</p>
      )}
      {reviewsAfter || reviews.pageInfo.hasNextPage ? (
        <nav className="pagination" aria-label="Reviews pages">
          {reviewsAfter ? (
            <Link href={`${join(variantParam)}#reviews`} className="button button--secondary" scroll={false}>
              Newest reviews
            </Link>
          ) : null}
          {reviews.pageInfo.hasNextPage && reviews.pageInfo.endCursor ? (
            <Link
              href={`${join(variantParam, `reviews=${encodeURIComponent(reviews.pageInfo.endCursor)}`)}#reviews`}
              className="button"
              scroll={false}
            >
              More reviews
            </Link>
          ) : null}
        </nav>
      ) : null}
      {signedIn ? (
        <ReviewForm productId={product.id} slug={product.slug} />
      ) : (
        <p className="reviews__sign-in">
          <Link href={`/account/sign-in?returnTo=${encodeURIComponent(`${path}#reviews`)}`}>Sign in to write a review</Link>
        </p>
      )}
    </section>
  );
}

/** schema.org Product: every variant is an Offer in the shopper's currency; prices are decimal strings from minor units. */
function productJsonLd(product: ProductDetail, selected: VariantDetail | undefined) {
  const url = absoluteUrl(`/p/${product.slug}`);
  const offers = product.variants.flatMap((variant) =>
    variant.price
      ? [
          {
            '@type': 'Offer',
            sku: variant.sku,
            name: variant.name,
            url: `${url}?variant=${encodeURIComponent(variant.sku)}`,
            price: priceDecimalString(variant.price),
            priceCurrency: variant.price.currency,
            availability: variant.availability.inStock ? 'https://schema.org/InStock' : 'https://schema.org/OutOfStock',
            itemCondition: 'https://schema.org/NewCondition',
          },
        ]
      : [],
  );
  return {
    '@context': 'https://schema.org',
    '@type': 'Product',
    name: product.name,
    url,
    ...(product.description ? { description: product.description } : {}),
    ...(product.images.length ? { image: product.images.map((image) => absoluteImageUrl(image.url)) } : {}),
    ...(selected ? { sku: selected.sku } : {}),
    ...(product.brand ? { brand: { '@type': 'Brand', name: product.brand } } : {}),
    ...(offers.length ? { offers } : {}),
    ...(product.rating.count > 0 && product.rating.average != null
      ? {
          aggregateRating: {
            '@type': 'AggregateRating',
            ratingValue: (Math.round(product.rating.average * 10) / 10).toFixed(1),
            reviewCount: product.rating.count,
            bestRating: '5',
            worstRating: '1',
          },
        }
      : {}),
  };
}
