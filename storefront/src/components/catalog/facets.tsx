import Link from 'next/link';
import type { CatalogSearchQuery } from '@/graphql/generated/graphql';
import { type ListingState, listingHref, toggleOption } from '@/lib/catalog/listing';
import { type Currency, formatMoney } from '@/lib/money';

type Facets = CatalogSearchQuery['search']['facets'];
type CategoryFacet = Facets['categories'][number];
type PriceBucket = Facets['priceRanges'][number];

export interface FacetsProps {
  facets: Facets;
  state: ListingState;
  /** The listing's path: `/c/<slug>` or `/search`. */
  path: string;
  /** The category the listing is in (category page) or filtered to (search page). */
  selectedCategoryId: string | null;
  /** Where a category of the tree leads. */
  categoryHref: (category: Pick<CategoryFacet, 'id' | 'slug'> | null) => string;
}

/**
 * The facets of a listing, as plain links that change the URL: they work
 * without JavaScript, and each keeps the other filters. Counts come from the
 * graph (each facet ignores its own filter, so alternatives keep counts).
 */
export function FacetPanel({ facets, state, path, selectedCategoryId, categoryHref }: FacetsProps) {
  return (
    <details className="filters">
      <summary className="filters__toggle">Filters</summary>
      <div className="filters__body">
        <h2 className="visually-hidden">Filters</h2>
        <CategoryTree categories={facets.categories} selectedId={selectedCategoryId} categoryHref={categoryHref} />
        {facets.options.map((option) => (
          <FacetGroup key={option.name} title={option.name}>
            {option.values.map((value) =>
              value.count === 0 && !value.selected ? null : (
                <li key={value.value}>
                  <FacetLink
                    href={listingHref(path, state, { options: toggleOption(state, option.name, value.value) })}
                    selected={value.selected}
                    label={value.value}
                    count={value.count}
                  />
                </li>
              ),
            )}
          </FacetGroup>
        ))}
        <FacetGroup title="Price">
          {facets.priceRanges.map((bucket) => {
            const range = bucketRange(bucket);
            const selected = state.price?.min === range.min && state.price?.max === range.max;
            if (bucket.count === 0 && !selected) return null;
            return (
              <li key={`${range.min}-${range.max}`}>
                <FacetLink
                  href={listingHref(path, state, { price: selected ? null : range })}
                  selected={selected}
                  label={priceLabel(bucket)}
                  count={bucket.count}
                />
              </li>
            );
          })}
        </FacetGroup>
        <FacetGroup title="Availability">
          {facets.inStock.map((entry) => {
            const value = entry.inStock ? 'in' : 'out';
            const selected = state.stock === value;
            if (entry.count === 0 && !selected) return null;
            return (
              <li key={value}>
                <FacetLink
                  href={listingHref(path, state, { stock: selected ? null : value })}
                  selected={selected}
                  label={entry.inStock ? 'In stock' : 'Out of stock'}
                  count={entry.count}
                />
              </li>
            );
          })}
        </FacetGroup>
      </div>
    </details>
  );
}

function FacetGroup({ title, children }: { title: string; children: React.ReactNode }) {
  const id = `facet-${title.toLowerCase().replace(/[^a-z0-9]+/g, '-')}`;
  return (
    <section className="facet" aria-labelledby={id}>
      <h3 id={id} className="facet__title">
        {title}
      </h3>
      <ul className="facet__values">{children}</ul>
    </section>
  );
}

function FacetLink({ href, selected, label, count }: { href: string; selected: boolean; label: string; count: number }) {
  return (
    <Link href={href} className="facet-link" aria-current={selected ? 'true' : undefined} rel="nofollow" scroll={false}>
      <span className="facet-link__box" aria-hidden="true">
        {selected ? '✓' : ''}
      </span>
      <span className="facet-link__label">{label}</span> <span className="facet-link__count">({count})</span>
      {selected ? <span className="visually-hidden">, selected</span> : null}
    </Link>
  );
}

/** The price bucket as the URL keeps it: minor units, max exclusive. */
function bucketRange(bucket: PriceBucket): { min: number | null; max: number | null } {
  return { min: bucket.min?.amountMinor ?? null, max: bucket.max?.amountMinor ?? null };
}

export function priceLabel(bucket: Pick<PriceBucket, 'min' | 'max'>): string {
  if (bucket.min && bucket.max) return `${formatMoney(bucket.min)} – ${formatMoney(bucket.max)}`;
  if (bucket.max) return `Under ${formatMoney(bucket.max)}`;
  if (bucket.min) return `${formatMoney(bucket.min)} and over`;
  return 'Any price';
}

/**
 * The category tree around the selection: the path from the top down to the
 * selected category, then its subcategories with their counts (the top-level
 * departments when nothing is selected).
 */
function CategoryTree({
  categories,
  selectedId,
  categoryHref,
}: {
  categories: CategoryFacet[];
  selectedId: string | null;
  categoryHref: FacetsProps['categoryHref'];
}) {
  const byId = new Map(categories.map((category) => [category.id, category]));
  const path: CategoryFacet[] = [];
  for (let at = selectedId ? byId.get(selectedId) : undefined; at; at = at.parentId ? byId.get(at.parentId) : undefined) {
    path.unshift(at);
  }
  const selected = path[path.length - 1] ?? null;
  const children = categories.filter((category) => (selected ? category.parentId === selected.id : category.depth === 0) && category.count > 0);
  if (!path.length && !children.length) return null;
  return (
    <section className="facet" aria-labelledby="facet-category">
      <h3 id="facet-category" className="facet__title">
        Category
      </h3>
      <ul className="facet__values category-tree">
        {selectedId ? (
          <li>
            <Link href={categoryHref(null)} className="category-tree__up">
              All categories
            </Link>
          </li>
        ) : null}
        {path.map((category, depth) => (
          <li key={category.id} style={{ paddingLeft: `${depth * 0.75}rem` }}>
            <Link
              href={categoryHref(category)}
              className="category-tree__link"
              aria-current={category.id === selected?.id ? 'page' : undefined}
            >
              {category.name} <span className="facet-link__count">({category.count})</span>
            </Link>
          </li>
        ))}
        {children.map((category) => (
          <li key={category.id} style={{ paddingLeft: `${path.length * 0.75}rem` }}>
            <Link href={categoryHref(category)} className="category-tree__link">
              {category.name} <span className="facet-link__count">({category.count})</span>
            </Link>
          </li>
        ))}
      </ul>
    </section>
  );
}

/** The filters in force, each with a link that removes it, and one that clears them all. */
export function ActiveFilters({ state, path, currency }: { state: ListingState; path: string; currency: Currency }) {
  const chips: { label: string; href: string }[] = [];
  for (const option of state.options) {
    chips.push({ label: `${option.name}: ${option.value}`, href: listingHref(path, state, { options: toggleOption(state, option.name, option.value) }) });
  }
  if (state.price) {
    const bucket = {
      min: state.price.min !== null ? { amountMinor: state.price.min, currency } : null,
      max: state.price.max !== null ? { amountMinor: state.price.max, currency } : null,
    };
    chips.push({ label: `Price: ${priceLabel(bucket)}`, href: listingHref(path, state, { price: null }) });
  }
  if (state.stock) chips.push({ label: state.stock === 'in' ? 'In stock' : 'Out of stock', href: listingHref(path, state, { stock: null }) });
  if (!chips.length) return null;
  return (
    <div className="active-filters">
      <h2 className="visually-hidden">Active filters</h2>
      <ul>
        {chips.map((chip) => (
          <li key={chip.label}>
            <Link href={chip.href} className="chip" rel="nofollow" scroll={false}>
              <span className="visually-hidden">Remove filter </span>
              {chip.label} <span aria-hidden="true">×</span>
            </Link>
          </li>
        ))}
        <li>
          <Link href={listingHref(path, state, { options: [], price: null, stock: null })} className="chip chip--clear" rel="nofollow">
            Clear all filters
          </Link>
        </li>
      </ul>
    </div>
  );
}
