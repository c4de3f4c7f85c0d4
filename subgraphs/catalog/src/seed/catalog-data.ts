/**
 * The demo catalog, generated deterministically: the same call always yields
 * the same categories, products, variants, prices, images and reviews, with
 * the same ids. That is what makes seeding idempotent (rows are inserted by
 * deterministic id and skipped when present) and benchmarks comparable.
 *
 * Pure: no database, no clock, no Math.random.
 */
import { createHash } from 'node:crypto';

/** Seeded products are dated from here on, one hour apart, so newer seeds sort first by id. */
const SEED_EPOCH_MS = Date.UTC(2025, 0, 1);
const HOUR_MS = 3_600_000;

export interface SeedCategory {
  id: string;
  slug: string;
  name: string;
  description: string;
  parentSlug: string | null;
  position: number;
  depth: number;
}

export interface SeedVariant {
  id: string;
  sku: string;
  name: string;
  position: number;
  options: { name: string; value: string; position: number }[];
  prices: { currency: 'USD' | 'EUR'; amount: number }[];
}

export interface SeedProduct {
  id: string;
  slug: string;
  name: string;
  description: string;
  brand: string;
  status: 'ACTIVE' | 'ARCHIVED';
  categorySlug: string;
  createdAt: Date;
  images: { id: string; url: string; altText: string; position: number }[];
  variants: SeedVariant[];
}

export interface SeedReview {
  id: string;
  productSlug: string;
  authorId: string;
  rating: number;
  title: string;
  body: string;
  createdAt: Date;
}

export interface SeedCatalogData {
  categories: SeedCategory[];
  products: SeedProduct[];
  reviews: SeedReview[];
}

/**
 * A uuid v7 whose timestamp is `timeMs` and whose random bits come from a
 * hash of `name`: deterministic, unique per name, and time-ordered like the
 * ids the application generates.
 */
export function deterministicUuidV7(name: string, timeMs: number): string {
  const hash = createHash('sha256').update(name).digest();
  const bytes = Buffer.alloc(16);
  bytes.writeUIntBE(timeMs, 0, 6);
  hash.copy(bytes, 6, 0, 10);
  bytes[6] = 0x70 | ((bytes[6] ?? 0) & 0x0f);
  bytes[8] = 0x80 | ((bytes[8] ?? 0) & 0x3f);
  const hex = bytes.toString('hex');
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`;
}

/** mulberry32: a tiny seeded PRNG, plenty for demo data. */
function rng(seed: string): () => number {
  let state = createHash('sha256').update(seed).digest().readUInt32BE(0);
  return () => {
    state = (state + 0x6d2b79f5) | 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4_294_967_296;
  };
}

const pick = <T>(random: () => number, items: readonly T[]): T => {
  const item = items[Math.floor(random() * items.length)];
  if (item === undefined) throw new Error('pick from an empty list');
  return item;
};

const slugOf = (text: string): string =>
  text
    .normalize('NFKD')
    .replace(/[\u0300-\u036f]/g, '')
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, '-')
    .replace(/^-+|-+$/g, '');

/** Prices end in .99, as shops like them. */
const charmPrice = (minor: number): number => Math.max(99, Math.round(minor / 100) * 100 - 1);
/** EUR is derived from USD at a fixed demo rate, then rounded to .99. */
const EUR_PER_USD = 0.92;

interface OptionDimension {
  name: string;
  values: readonly string[];
  /** Price step in USD minor units per position in `values` (bigger capacity costs more). */
  step?: number;
}

/** A leaf category and what its products look like. */
interface Leaf {
  slug: string;
  name: string;
  code: string;
  nouns: readonly string[];
  brands: readonly string[];
  /** USD minor units. */
  priceRange: readonly [number, number];
  /** The first dimension tells variants apart; the others are fixed per product. */
  dimensions: readonly OptionDimension[];
  materials: readonly string[];
}

const COLOURS = ['Black', 'Navy', 'White', 'Olive', 'Grey', 'Burgundy', 'Sand', 'Forest Green'] as const;
const SIZES = ['XS', 'S', 'M', 'L', 'XL'] as const;
const SHOE_SIZES = ['37', '38', '39', '40', '41', '42', '43', '44'] as const;
const CAPACITIES = { name: 'Capacity', values: ['64GB', '128GB', '256GB', '512GB'], step: 10_000 } as const;
const FORMATS = { name: 'Format', values: ['Paperback', 'Hardcover', 'eBook', 'Audiobook'] } as const;
const APPAREL_BRANDS = ['Northwind', 'Harbor & Pine', 'Atelier Nord', 'Fieldcraft', 'Urban Loom'] as const;
const TECH_BRANDS = ['Voltix', 'Auralis', 'Quanta', 'Lumen Labs', 'Nimbus'] as const;
const HOME_BRANDS = ['Oak & Ember', 'Casa Verde', 'Hearthline', 'Kettle & Co', 'Nordhem'] as const;
const SPORT_BRANDS = ['Summit Gear', 'Trailhead', 'Peak Motion', 'Ridgeway', 'Velo One'] as const;
const PUBLISHERS = ['Lighthouse Press', 'Cobalt Books', 'Meridian House', 'Paper Fox'] as const;

/** The tree: root > middle > leaf. Leaves hold the products. */
const TREE: readonly { slug: string; name: string; children: readonly { slug: string; name: string; leaves: readonly Leaf[] }[] }[] = [
  {
    slug: 'apparel',
    name: 'Apparel',
    children: [
      {
        slug: 'men',
        name: 'Men',
        leaves: [
          { slug: 'men-shirts', name: 'Shirts', code: 'MSH', nouns: ['Oxford Shirt', 'Linen Shirt', 'Flannel Shirt', 'Denim Shirt', 'Polo Shirt'], brands: APPAREL_BRANDS, priceRange: [2_900, 8_900], dimensions: [{ name: 'Size', values: SIZES }, { name: 'Colour', values: COLOURS }], materials: ['organic cotton', 'linen', 'brushed cotton', 'cotton piqué'] },
          { slug: 'men-trousers', name: 'Trousers', code: 'MTR', nouns: ['Chinos', 'Slim Jeans', 'Cargo Trousers', 'Wool Trousers'], brands: APPAREL_BRANDS, priceRange: [3_900, 11_900], dimensions: [{ name: 'Size', values: ['30', '32', '34', '36', '38'] }, { name: 'Colour', values: COLOURS }], materials: ['stretch cotton', 'selvedge denim', 'ripstop', 'wool blend'] },
          { slug: 'men-jackets', name: 'Jackets', code: 'MJK', nouns: ['Rain Jacket', 'Down Jacket', 'Field Jacket', 'Bomber Jacket'], brands: APPAREL_BRANDS, priceRange: [7_900, 29_900], dimensions: [{ name: 'Size', values: SIZES }, { name: 'Colour', values: COLOURS }], materials: ['recycled nylon', 'waxed cotton', 'duck down', 'softshell'] },
        ],
      },
      {
        slug: 'women',
        name: 'Women',
        leaves: [
          { slug: 'women-dresses', name: 'Dresses', code: 'WDR', nouns: ['Wrap Dress', 'Midi Dress', 'Shirt Dress', 'Knit Dress'], brands: APPAREL_BRANDS, priceRange: [4_900, 15_900], dimensions: [{ name: 'Size', values: SIZES }, { name: 'Colour', values: COLOURS }], materials: ['viscose', 'linen', 'merino', 'organic cotton'] },
          { slug: 'women-tops', name: 'Tops', code: 'WTP', nouns: ['Blouse', 'Knit Top', 'Tank Top', 'Cardigan'], brands: APPAREL_BRANDS, priceRange: [1_900, 7_900], dimensions: [{ name: 'Size', values: SIZES }, { name: 'Colour', values: COLOURS }], materials: ['silk', 'cotton jersey', 'cashmere blend', 'modal'] },
          { slug: 'women-shoes', name: 'Shoes', code: 'WSH', nouns: ['Leather Sneakers', 'Ankle Boots', 'Loafers', 'Running Shoes'], brands: APPAREL_BRANDS, priceRange: [5_900, 18_900], dimensions: [{ name: 'Size', values: SHOE_SIZES }, { name: 'Colour', values: COLOURS }], materials: ['full-grain leather', 'suede', 'recycled mesh', 'canvas'] },
        ],
      },
      {
        slug: 'kids',
        name: 'Kids',
        leaves: [
          { slug: 'kids-tees', name: 'T-Shirts', code: 'KTS', nouns: ['Graphic Tee', 'Striped Tee', 'Long-Sleeve Tee'], brands: APPAREL_BRANDS, priceRange: [900, 2_900], dimensions: [{ name: 'Age', values: ['2-3Y', '4-5Y', '6-7Y', '8-9Y', '10-11Y'] }, { name: 'Colour', values: COLOURS }], materials: ['organic cotton', 'cotton jersey'] },
          { slug: 'kids-outerwear', name: 'Outerwear', code: 'KOW', nouns: ['Puffer Jacket', 'Rain Coat', 'Fleece Jacket'], brands: APPAREL_BRANDS, priceRange: [2_900, 8_900], dimensions: [{ name: 'Age', values: ['2-3Y', '4-5Y', '6-7Y', '8-9Y', '10-11Y'] }, { name: 'Colour', values: COLOURS }], materials: ['recycled polyester', 'fleece', 'waterproof nylon'] },
        ],
      },
    ],
  },
  {
    slug: 'electronics',
    name: 'Electronics',
    children: [
      {
        slug: 'audio',
        name: 'Audio',
        leaves: [
          { slug: 'headphones', name: 'Headphones', code: 'HPH', nouns: ['Wireless Headphones', 'Noise-Cancelling Headphones', 'Earbuds', 'Studio Headphones'], brands: TECH_BRANDS, priceRange: [4_900, 39_900], dimensions: [{ name: 'Colour', values: ['Black', 'White', 'Silver', 'Midnight Blue'] }], materials: ['aluminium', 'memory foam', 'recycled plastic'] },
          { slug: 'speakers', name: 'Speakers', code: 'SPK', nouns: ['Bluetooth Speaker', 'Smart Speaker', 'Bookshelf Speakers', 'Soundbar'], brands: TECH_BRANDS, priceRange: [3_900, 59_900], dimensions: [{ name: 'Colour', values: ['Black', 'White', 'Charcoal', 'Sage'] }], materials: ['fabric-wrapped', 'walnut veneer', 'aluminium'] },
        ],
      },
      {
        slug: 'computers',
        name: 'Computers',
        leaves: [
          { slug: 'laptops', name: 'Laptops', code: 'LAP', nouns: ['Ultrabook', 'Laptop 14"', 'Laptop 16"', 'Convertible Laptop'], brands: TECH_BRANDS, priceRange: [69_900, 249_900], dimensions: [{ name: 'Storage', values: ['256GB', '512GB', '1TB', '2TB'], step: 15_000 }, { name: 'Colour', values: ['Space Grey', 'Silver'] }], materials: ['aluminium unibody', 'magnesium alloy'] },
          { slug: 'monitors', name: 'Monitors', code: 'MON', nouns: ['4K Monitor', 'Ultrawide Monitor', 'Gaming Monitor', 'Portable Monitor'], brands: TECH_BRANDS, priceRange: [14_900, 89_900], dimensions: [{ name: 'Size', values: ['24"', '27"', '32"', '34"'], step: 8_000 }], materials: ['IPS panel', 'OLED panel', 'VA panel'] },
          { slug: 'keyboards', name: 'Keyboards', code: 'KEY', nouns: ['Mechanical Keyboard', 'Wireless Keyboard', 'Compact Keyboard'], brands: TECH_BRANDS, priceRange: [3_900, 22_900], dimensions: [{ name: 'Layout', values: ['US', 'UK', 'DE', 'FR'] }, { name: 'Switches', values: ['Linear', 'Tactile', 'Clicky'] }], materials: ['PBT keycaps', 'aluminium frame'] },
        ],
      },
      {
        slug: 'phones',
        name: 'Phones',
        leaves: [
          { slug: 'smartphones', name: 'Smartphones', code: 'PHN', nouns: ['Smartphone', 'Smartphone Pro', 'Smartphone Mini', 'Foldable Phone'], brands: TECH_BRANDS, priceRange: [29_900, 129_900], dimensions: [CAPACITIES, { name: 'Colour', values: ['Graphite', 'Silver', 'Gold', 'Sierra Blue'] }], materials: ['ceramic glass', 'titanium frame', 'aluminium frame'] },
          { slug: 'phone-cases', name: 'Phone Cases', code: 'PCS', nouns: ['Leather Case', 'Silicone Case', 'Clear Case', 'Wallet Case'], brands: TECH_BRANDS, priceRange: [1_900, 5_900], dimensions: [{ name: 'Colour', values: COLOURS }], materials: ['leather', 'silicone', 'recycled TPU'] },
        ],
      },
    ],
  },
  {
    slug: 'home-kitchen',
    name: 'Home & Kitchen',
    children: [
      {
        slug: 'kitchen',
        name: 'Kitchen',
        leaves: [
          { slug: 'cookware', name: 'Cookware', code: 'CKW', nouns: ['Cast Iron Skillet', 'Dutch Oven', 'Saucepan Set', 'Non-Stick Pan'], brands: HOME_BRANDS, priceRange: [2_900, 34_900], dimensions: [{ name: 'Size', values: ['20 cm', '24 cm', '28 cm', '32 cm'], step: 1_500 }], materials: ['cast iron', 'tri-ply stainless steel', 'enamelled steel'] },
          { slug: 'small-appliances', name: 'Small Appliances', code: 'APL', nouns: ['Espresso Machine', 'Kettle', 'Blender', 'Toaster', 'Stand Mixer'], brands: HOME_BRANDS, priceRange: [3_900, 69_900], dimensions: [{ name: 'Colour', values: ['Matte Black', 'Cream', 'Steel', 'Sage'] }], materials: ['brushed steel', 'BPA-free plastic'] },
        ],
      },
      {
        slug: 'furniture',
        name: 'Furniture',
        leaves: [
          { slug: 'chairs', name: 'Chairs', code: 'CHR', nouns: ['Dining Chair', 'Lounge Chair', 'Office Chair', 'Stool'], brands: HOME_BRANDS, priceRange: [7_900, 79_900], dimensions: [{ name: 'Finish', values: ['Oak', 'Walnut', 'Black Ash', 'White'] }], materials: ['solid oak', 'walnut', 'powder-coated steel'] },
          { slug: 'desks', name: 'Desks', code: 'DSK', nouns: ['Standing Desk', 'Writing Desk', 'Corner Desk'], brands: HOME_BRANDS, priceRange: [19_900, 99_900], dimensions: [{ name: 'Width', values: ['120 cm', '140 cm', '160 cm'], step: 5_000 }, { name: 'Finish', values: ['Oak', 'Walnut', 'White'] }], materials: ['solid oak', 'bamboo', 'steel frame'] },
        ],
      },
      {
        slug: 'decor',
        name: 'Decor',
        leaves: [
          { slug: 'lamps', name: 'Lamps', code: 'LMP', nouns: ['Table Lamp', 'Floor Lamp', 'Pendant Light', 'Desk Lamp'], brands: HOME_BRANDS, priceRange: [2_900, 29_900], dimensions: [{ name: 'Colour', values: ['Brass', 'Black', 'White', 'Terracotta'] }], materials: ['brass', 'ceramic', 'linen shade'] },
          { slug: 'rugs', name: 'Rugs', code: 'RUG', nouns: ['Wool Rug', 'Jute Rug', 'Runner', 'Kilim Rug'], brands: HOME_BRANDS, priceRange: [4_900, 49_900], dimensions: [{ name: 'Size', values: ['60x90 cm', '120x170 cm', '160x230 cm', '200x300 cm'], step: 9_000 }], materials: ['hand-knotted wool', 'jute', 'recycled cotton'] },
        ],
      },
    ],
  },
  {
    slug: 'sports-outdoors',
    name: 'Sports & Outdoors',
    children: [
      {
        slug: 'camping',
        name: 'Camping',
        leaves: [
          { slug: 'tents', name: 'Tents', code: 'TNT', nouns: ['Backpacking Tent', 'Family Tent', 'Ultralight Tent'], brands: SPORT_BRANDS, priceRange: [9_900, 59_900], dimensions: [{ name: 'Capacity', values: ['1 person', '2 person', '3 person', '4 person'], step: 6_000 }], materials: ['ripstop nylon', 'silnylon', 'polyester'] },
          { slug: 'backpacks', name: 'Backpacks', code: 'BPK', nouns: ['Daypack', 'Trekking Backpack', 'Travel Pack'], brands: SPORT_BRANDS, priceRange: [4_900, 27_900], dimensions: [{ name: 'Volume', values: ['20 L', '30 L', '45 L', '60 L'], step: 2_000 }, { name: 'Colour', values: COLOURS }], materials: ['recycled nylon', 'Cordura', 'waxed canvas'] },
        ],
      },
      {
        slug: 'fitness',
        name: 'Fitness',
        leaves: [
          { slug: 'yoga', name: 'Yoga', code: 'YGA', nouns: ['Yoga Mat', 'Yoga Block', 'Yoga Strap'], brands: SPORT_BRANDS, priceRange: [1_500, 11_900], dimensions: [{ name: 'Colour', values: ['Plum', 'Ocean', 'Charcoal', 'Sand'] }], materials: ['natural rubber', 'cork', 'TPE'] },
          { slug: 'weights', name: 'Weights', code: 'WGT', nouns: ['Kettlebell', 'Dumbbell Pair', 'Adjustable Dumbbells'], brands: SPORT_BRANDS, priceRange: [2_900, 39_900], dimensions: [{ name: 'Weight', values: ['4 kg', '8 kg', '12 kg', '16 kg'], step: 1_500 }], materials: ['cast iron', 'rubber-coated steel'] },
        ],
      },
      {
        slug: 'cycling',
        name: 'Cycling',
        leaves: [
          { slug: 'helmets', name: 'Helmets', code: 'HLM', nouns: ['Road Helmet', 'Commuter Helmet', 'MTB Helmet'], brands: SPORT_BRANDS, priceRange: [4_900, 24_900], dimensions: [{ name: 'Size', values: ['S', 'M', 'L'] }, { name: 'Colour', values: ['Matte Black', 'White', 'Hi-Vis Yellow'] }], materials: ['EPS foam', 'polycarbonate shell'] },
          { slug: 'bike-lights', name: 'Bike Lights', code: 'BLT', nouns: ['Front Light', 'Rear Light', 'Light Set'], brands: SPORT_BRANDS, priceRange: [1_900, 12_900], dimensions: [{ name: 'Output', values: ['400 lm', '800 lm', '1200 lm'], step: 2_000 }], materials: ['aluminium', 'USB-C rechargeable'] },
        ],
      },
    ],
  },
  {
    slug: 'books',
    name: 'Books',
    children: [
      {
        slug: 'fiction',
        name: 'Fiction',
        leaves: [
          { slug: 'mystery', name: 'Mystery & Thriller', code: 'MYS', nouns: ['The Silent Harbour', 'Night Train to Lisbon', 'The Glass Key', 'Cold Case', 'The Last Witness'], brands: PUBLISHERS, priceRange: [999, 2_999], dimensions: [FORMATS], materials: ['a gripping plot', 'a twisty mystery'] },
          { slug: 'science-fiction', name: 'Science Fiction', code: 'SCI', nouns: ['Orbital', 'The Long Dark', 'Red Meridian', 'Starfall', 'Echoes of Titan'], brands: PUBLISHERS, priceRange: [999, 2_999], dimensions: [FORMATS], materials: ['hard science', 'space opera'] },
        ],
      },
      {
        slug: 'non-fiction',
        name: 'Non-fiction',
        leaves: [
          { slug: 'history', name: 'History', code: 'HIS', nouns: ['Empires of the Sea', 'The Silk Roads', 'A Short History of Maps', 'The Age of Steam'], brands: PUBLISHERS, priceRange: [1_499, 3_999], dimensions: [FORMATS], materials: ['archival research', 'vivid storytelling'] },
          { slug: 'cookbooks', name: 'Cookbooks', code: 'COO', nouns: ['Simple Suppers', 'The Bread Book', 'Plants First', 'One Pan Wonders'], brands: PUBLISHERS, priceRange: [1_999, 4_499], dimensions: [FORMATS], materials: ['100 recipes', 'step-by-step photos'] },
        ],
      },
    ],
  },
];

const FIRST_NAMES = ['Ada', 'Bruno', 'Clara', 'Dev', 'Elena', 'Farid', 'Greta', 'Hiro', 'Ines', 'Jonas', 'Kofi', 'Lena'] as const;
const SURNAMES = ['Lindqvist', 'Moreau', 'Okafor', 'Petrov', 'Quinn', 'Rossi', 'Sato', 'Tanaka', 'Umarov', 'Varga', 'Weber', 'Young'] as const;
const ADJECTIVES = ['Classic', 'Essential', 'Everyday', 'Premium', 'Signature', 'Heritage', 'Modern', 'Pro', 'Lite', 'Original', 'Studio', 'Travel', 'Urban', 'Nordic', 'Coastal'] as const;

const REVIEW_TEXT: Record<number, { titles: readonly string[]; bodies: readonly string[] }> = {
  1: { titles: ['Disappointed', 'Not as described', 'Would not buy again'], bodies: ['It stopped working after a week and support was slow to answer.', 'The quality is far below what the photos suggest.'] },
  2: { titles: ['Could be better', 'Meh', 'Some issues'], bodies: ['It does the job, but the finish feels cheap for the price.', 'Sizing runs off and the return took a while.'] },
  3: { titles: ['Decent', 'Okay for the price', 'Fine'], bodies: ['Nothing special, nothing wrong. Does what it says.', 'Good value, a few rough edges.'] },
  4: { titles: ['Very good', 'Happy with it', 'Solid choice'], bodies: ['Well made and arrived quickly. Would recommend.', 'Great quality; only wish it came in more colours.'] },
  5: { titles: ['Excellent!', 'Love it', 'Best purchase this year'], bodies: ['Exceeded my expectations in every way. Buying another one.', 'Beautifully made, works perfectly, fast delivery.'] },
};

/** 1..5 with a realistic skew towards good ratings. */
function rating(random: () => number): number {
  const r = random();
  return r < 0.05 ? 1 : r < 0.12 ? 2 : r < 0.28 ? 3 : r < 0.62 ? 4 : 5;
}

export interface GenerateOptions {
  /** Products in total, spread evenly over the leaf categories (default 1,200). */
  productCount?: number;
  /**
   * Reviewer ids: real users of the users subgraph. Without them the seed
   * writes no reviews, because a made-up author would have no name to show.
   */
  authorIds?: readonly string[];
}

export function generateCatalog(options: GenerateOptions = {}): SeedCatalogData {
  const productCount = options.productCount ?? 1_200;
  const authorIds = [...(options.authorIds ?? [])];
  const categories: SeedCategory[] = [];
  const leaves: { leaf: Leaf }[] = [];
  const categoryId = (slug: string): string => deterministicUuidV7(`category:${slug}`, SEED_EPOCH_MS - 2 * HOUR_MS);

  TREE.forEach((root, rootIndex) => {
    categories.push({ id: categoryId(root.slug), slug: root.slug, name: root.name, description: `Shop ${root.name.toLowerCase()}.`, parentSlug: null, position: rootIndex, depth: 0 });
    root.children.forEach((middle, middleIndex) => {
      categories.push({ id: categoryId(middle.slug), slug: middle.slug, name: middle.name, description: `${middle.name} in ${root.name}.`, parentSlug: root.slug, position: middleIndex, depth: 1 });
      middle.leaves.forEach((leaf, leafIndex) => {
        categories.push({ id: categoryId(leaf.slug), slug: leaf.slug, name: leaf.name, description: `${leaf.name} for ${middle.name.toLowerCase()}.`, parentSlug: middle.slug, position: leafIndex, depth: 2 });
        leaves.push({ leaf });
      });
    });
  });

  const products: SeedProduct[] = [];
  const reviews: SeedReview[] = [];
  const usedSlugs = new Set<string>();
  for (let index = 0; index < productCount; index++) {
    const { leaf } = leaves[index % leaves.length] ?? { leaf: undefined };
    if (!leaf) throw new Error('the category tree has no leaves');
    const random = rng(`product:${index}`);
    const createdAt = new Date(SEED_EPOCH_MS + index * HOUR_MS);
    const brand = pick(random, leaf.brands);
    const noun = pick(random, leaf.nouns);
    const adjective = pick(random, ADJECTIVES);
    const isBook = leaf.dimensions[0]?.name === 'Format';
    const name = isBook ? `${noun} by ${pick(random, FIRST_NAMES)} ${pick(random, SURNAMES)}` : `${brand} ${adjective} ${noun}`;
    let slug = slugOf(name);
    for (let n = 2; usedSlugs.has(slug); n++) slug = `${slugOf(name)}-${n}`;
    usedSlugs.add(slug);
    const id = deterministicUuidV7(`product:${slug}`, createdAt.getTime());
    const material = pick(random, leaf.materials);
    const description = isBook
      ? `${name} from ${brand}: ${material}, loved by readers. Available in several formats.`
      : `The ${adjective.toLowerCase()} ${noun.toLowerCase()} by ${brand}, made with ${material}. Designed to last and easy to care for.`;

    const [varying, ...fixed] = leaf.dimensions;
    if (!varying) throw new Error(`leaf ${leaf.slug} has no option dimension`);
    const fixedValues = fixed.map((dimension) => ({ name: dimension.name, value: pick(random, dimension.values) }));
    const variantCount = 1 + Math.floor(random() * Math.min(4, varying.values.length));
    const firstValue = Math.floor(random() * (varying.values.length - variantCount + 1));
    const [minPrice, maxPrice] = leaf.priceRange;
    const basePrice = minPrice + Math.floor(random() * (maxPrice - minPrice));
    const productNo = String(index + 1).padStart(5, '0');
    const variants: SeedVariant[] = [];
    for (let v = 0; v < variantCount; v++) {
      const valueIndex = firstValue + v;
      const value = varying.values[valueIndex] ?? '';
      const options = [{ name: varying.name, value }, ...fixedValues].map((option, position) => ({ ...option, position }));
      const usd = charmPrice(basePrice + (varying.step ?? 0) * valueIndex);
      variants.push({
        id: deterministicUuidV7(`variant:${slug}:${v}`, createdAt.getTime()),
        sku: `${leaf.code}-${productNo}-${value.toUpperCase().replace(/[^A-Z0-9]+/g, '') || v + 1}`,
        name: options.map((option) => option.value).join(' / '),
        position: v,
        options,
        prices: [
          { currency: 'USD', amount: usd },
          { currency: 'EUR', amount: charmPrice(usd * EUR_PER_USD) },
        ],
      });
    }

    const imageCount = [0, 1, 1, 2, 2, 3, 3, 3][Math.floor(random() * 8)] ?? 1;
    const images = Array.from({ length: imageCount }, (_, position) => ({
      id: deterministicUuidV7(`image:${slug}:${position}`, createdAt.getTime()),
      url: seedImageUrl(slug, position),
      altText: position === 0 ? name : `${name}, view ${position + 1}`,
      position,
    }));

    products.push({
      id,
      slug,
      name,
      description,
      brand,
      // A few archived products, so the demo shows that they stay hidden.
      status: index % 100 === 99 ? 'ARCHIVED' : 'ACTIVE',
      categorySlug: leaf.slug,
      createdAt,
      images,
      variants,
    });

    const reviewCount = Math.min(authorIds.length, [0, 0, 1, 2, 3, 4, 5, 8][Math.floor(random() * 8)] ?? 0);
    const start = Math.floor(random() * authorIds.length);
    for (let r = 0; r < reviewCount; r++) {
      // Consecutive authors from a random start: distinct within the product.
      const authorId = authorIds[(start + r) % authorIds.length];
      if (!authorId) continue;
      const stars = rating(random);
      const text = REVIEW_TEXT[stars] ?? { titles: ['Review'], bodies: [''] };
      const reviewedAt = createdAt.getTime() + (r + 1) * 24 * HOUR_MS;
      reviews.push({
        id: deterministicUuidV7(`review:${slug}:${authorId}`, reviewedAt),
        productSlug: slug,
        authorId,
        rating: stars,
        title: pick(random, text.titles),
        body: pick(random, text.bodies),
        createdAt: new Date(reviewedAt),
      });
    }
  }
  return { categories, products, reviews };
}

/**
 * A seeded product's image: a root-relative path to the SVG the storefront
 * generates from the slug (storefront/src/app/media/products), so the demo
 * catalog renders with no internet.
 */
export function seedImageUrl(slug: string, position: number): string {
  return `/media/products/${slug}-${position + 1}.svg`;
}
