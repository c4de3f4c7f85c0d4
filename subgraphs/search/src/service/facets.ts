/**
 * Facets as the schema returns them, from the counts the search statement
 * computed. Convention: each facet is counted over the documents matching
 * the text and every filter EXCEPT its own ("drill sideways"), so selecting
 * Size M still shows how many products come in L, and the category tree
 * still shows the sibling categories. Counts are products, not variants.
 */
import { PRICE_BUCKET_BOUNDS, type CategoryCount, type OptionGroup, type SearchAggregates } from '../data/search-queries.js';
import { splitOptionKey, type CurrencyCode } from './documents.js';

export interface CategoryFacet extends CategoryCount {
  /** The category as an entity reference (resolved by the catalog). */
  category: { __typename: 'Category'; id: string };
}

export interface OptionValueFacet {
  value: string;
  count: number;
  selected: boolean;
}

export interface OptionFacet {
  name: string;
  values: OptionValueFacet[];
}

export interface Money {
  amountMinor: number;
  currency: CurrencyCode;
}

export interface PriceRangeFacet {
  min: Money | null;
  max: Money | null;
  count: number;
}

export interface InStockFacet {
  inStock: boolean;
  count: number;
}

export interface SearchFacets {
  categories: CategoryFacet[];
  options: OptionFacet[];
  priceRanges: PriceRangeFacet[];
  inStock: InStockFacet[];
}

/** Values listed per option name, most frequent first. */
export const MAX_OPTION_VALUES = 50;

const byText = new Intl.Collator('en', { numeric: true, sensitivity: 'base' });

/**
 * byText's order as small integers, learnt string by string: a facet list
 * sorts the same few names and values on every search, and a collator
 * comparison costs about a microsecond. Strings the collator finds equal
 * share a rank. Past MAX_RANKED strings, comparisons go to the collator.
 */
class CollationRanks {
  private static readonly MAX_RANKED = 10_000;
  /** One representative per class of equal strings, in collator order. */
  private readonly classes: string[] = [];
  private readonly rankOf = new Map<string, number>();

  compare(a: string, b: string): number {
    if (a === b) return 0;
    const x = this.rank(a);
    const y = this.rank(b);
    return x === undefined || y === undefined ? byText.compare(a, b) : x - y;
  }

  private rank(text: string): number | undefined {
    const known = this.rankOf.get(text);
    if (known !== undefined || this.rankOf.size >= CollationRanks.MAX_RANKED) return known;
    let low = 0;
    let high = this.classes.length;
    while (low < high) {
      const mid = (low + high) >> 1;
      const order = byText.compare(this.classes[mid] as string, text);
      if (order === 0) {
        this.rankOf.set(text, mid);
        return mid;
      }
      if (order < 0) low = mid + 1;
      else high = mid;
    }
    this.classes.splice(low, 0, text);
    // Later classes moved up one: renumber (rare: only for a string never seen).
    for (const [key, rank] of this.rankOf) if (rank >= low) this.rankOf.set(key, rank + 1);
    this.rankOf.set(text, low);
    return low;
  }
}

const textOrder = new CollationRanks();

/**
 * The category tree, flattened depth-first: a parent comes right before its
 * children, siblings by count (then name). Every counted category's ancestors
 * are counted too (a product counts for its whole path), so the tree is whole.
 */
export function categoryTree(counts: readonly CategoryCount[]): CategoryFacet[] {
  const ids = new Set(counts.map((c) => c.id));
  const children = new Map<string | null, CategoryCount[]>();
  for (const count of counts) {
    const parent = count.parentId !== null && ids.has(count.parentId) ? count.parentId : null;
    const list = children.get(parent) ?? [];
    list.push(count);
    children.set(parent, list);
  }
  const bySize = (a: CategoryCount, b: CategoryCount): number => b.count - a.count || textOrder.compare(a.name, b.name);
  const out: CategoryFacet[] = [];
  const seen = new Set<string>();
  const visit = (node: CategoryCount): void => {
    if (seen.has(node.id)) return;
    seen.add(node.id);
    // Fields spelled out: a spread here cost over a microsecond per category.
    const { id, name, slug, parentId, depth, count } = node;
    out.push({ id, name, slug, parentId, depth, count, category: { __typename: 'Category', id } });
    for (const child of (children.get(node.id) ?? []).sort(bySize)) visit(child);
  };
  for (const root of (children.get(null) ?? []).sort(bySize)) visit(root);
  // Parent links that form a cycle (inconsistent snapshots) leave nodes unreached: list them as roots.
  if (out.length < counts.length) for (const node of [...counts].sort(bySize)) visit(node);
  return out;
}

export function optionFacets(counts: readonly [string, number][], selected: readonly OptionGroup[]): OptionFacet[] {
  const byName = new Map<string, OptionValueFacet[]>();
  for (const [key, count] of counts) {
    const { name, value } = splitOptionKey(key);
    const isSelected = selected.some((group) => group.name === name && group.values.includes(value));
    const list = byName.get(name) ?? [];
    list.push({ value, count, selected: isSelected });
    byName.set(name, list);
  }
  return [...byName.entries()]
    .sort(([a], [b]) => textOrder.compare(a, b))
    .map(([name, values]) => ({
      name,
      values: values.sort((a, b) => b.count - a.count || textOrder.compare(a.value, b.value)).slice(0, MAX_OPTION_VALUES),
    }));
}

/** Every bucket, empty ones included, lowest first: <25, 25–50, 50–100, 100–200, ≥200 (in the currency). */
export function priceRanges(counts: readonly [number, number][], currency: CurrencyCode): PriceRangeFacet[] {
  const byBucket = new Map(counts);
  const money = (amountMinor: number | undefined): Money | null => (amountMinor === undefined ? null : { amountMinor, currency });
  return Array.from({ length: PRICE_BUCKET_BOUNDS.length + 1 }, (_, bucket) => ({
    min: money(PRICE_BUCKET_BOUNDS[bucket - 1]),
    max: money(PRICE_BUCKET_BOUNDS[bucket]),
    count: byBucket.get(bucket) ?? 0,
  }));
}

export function inStockFacets(counts: readonly [boolean, number][]): InStockFacet[] {
  const byValue = new Map(counts);
  return [
    { inStock: true, count: byValue.get(true) ?? 0 },
    { inStock: false, count: byValue.get(false) ?? 0 },
  ];
}

export function toFacets(rows: SearchAggregates, selectedOptions: readonly OptionGroup[], currency: CurrencyCode): SearchFacets {
  return {
    categories: categoryTree(rows.categories),
    options: optionFacets(rows.options, selectedOptions),
    priceRanges: priceRanges(rows.prices, currency),
    inStock: inStockFacets(rows.stock),
  };
}

export const emptyFacets = (currency: CurrencyCode): SearchFacets => ({
  categories: [],
  options: [],
  priceRanges: priceRanges([], currency),
  inStock: inStockFacets([]),
});
