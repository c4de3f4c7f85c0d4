/**
 * A small storefront, indexed from catalog-shaped snapshots:
 *
 *   Apparel ─┬─ Men ─┬─ Jackets   Rain Jacket, Down Jacket (+ Old Jacket ARCHIVED, Secret Jacket DRAFT)
 *            │       └─ Shirts    Oxford Shirt, Flannel Shirt, Budget Tee
 *            └─ Women ── Dresses  Wrap Dress
 *   Electronics ── Audio          Wireless Headphones
 *
 * In stock: Rain Jacket (size M) and Wireless Headphones; the rest unknown (= not in stock).
 */
import { randomUUID } from 'node:crypto';
import type { ProductSnapshot } from '@commerce/events';
import type { SearchPrisma } from '../src/data/prisma.js';
import { indexStockLevel } from '../src/service/indexing.service.js';
import { category, index, snapshot, tick } from './helpers.js';

export const cat = {
  apparel: category('Apparel'),
  men: category('Men'),
  jackets: category('Jackets'),
  shirts: category('Shirts'),
  women: category('Women'),
  dresses: category('Dresses'),
  electronics: category('Electronics'),
  audio: category('Audio'),
};

const menJackets = [cat.apparel, cat.men, cat.jackets];
const menShirts = [cat.apparel, cat.men, cat.shirts];

export function storefront(): Record<string, ProductSnapshot> {
  return {
    rain: snapshot({
      name: 'Rain Jacket',
      brand: 'Northwind',
      description: 'Waterproof shell for wet hikes.',
      path: menJackets,
      variants: [
        { options: { Size: 'S', Colour: 'Blue' }, usd: 8900, eur: 8200 },
        { options: { Size: 'M', Colour: 'Blue' }, usd: 8900, eur: 8200, variantId: randomUUID() },
        { options: { Size: 'L', Colour: 'Blue' }, usd: 9900, eur: 9100 },
      ],
      rating: { average: 4.5, count: 10 },
    }),
    down: snapshot({
      name: 'Down Jacket',
      brand: 'Alpine',
      description: 'Warm and light.',
      path: menJackets,
      variants: [
        { options: { Size: 'M', Colour: 'Black' }, usd: 19900, eur: 18500 },
        { options: { Size: 'L', Colour: 'Black' }, usd: 21900, eur: 20500 },
      ],
      rating: { average: 4.8, count: 3 },
    }),
    oxford: snapshot({
      name: 'Oxford Shirt',
      description: 'Cotton shirt that goes with any jacket.',
      path: menShirts,
      variants: [
        { options: { Size: 'S', Colour: 'Blue' }, usd: 3900 },
        { options: { Size: 'M', Colour: 'White' }, usd: 3900 },
      ],
    }),
    flannel: snapshot({ name: 'Flannel Shirt', path: menShirts, variants: [{ options: { Size: 'L', Colour: 'Red' }, usd: 2900 }] }),
    tee: snapshot({ name: 'Budget Tee', path: menShirts, variants: [{ usd: 900 }] }),
    dress: snapshot({
      name: 'Wrap Dress',
      path: [cat.apparel, cat.women, cat.dresses],
      variants: [{ options: { Size: 'S', Colour: 'Red' }, usd: 5900 }],
      rating: { average: 3.9, count: 20 },
    }),
    headphones: snapshot({
      name: 'Wireless Headphones',
      brand: 'Sonora',
      description: 'Noise cancelling, 30 hours of battery.',
      path: [cat.electronics, cat.audio],
      variants: [{ options: { Colour: 'Black' }, usd: 24900, eur: 23000 }],
    }),
    archived: snapshot({ name: 'Old Jacket', status: 'ARCHIVED', path: menJackets }),
    draft: snapshot({ name: 'Secret Jacket', status: 'DRAFT', path: menJackets }),
  };
}

/** Visible (ACTIVE) products of the storefront. */
export const ACTIVE_COUNT = 7;

export async function indexStorefront(db: SearchPrisma): Promise<Record<string, ProductSnapshot>> {
  const products = storefront();
  await index(db, ...Object.values(products));
  const rainM = products.rain?.variants[1]?.variantId;
  const headphones = products.headphones?.variants[0]?.variantId;
  for (const variantId of [rainM, headphones]) {
    if (!variantId) throw new Error('fixture variant missing');
    await indexStockLevel(db, { variantId, available: 5, inStock: true, changedAt: tick() });
  }
  return products;
}

export const idOf = (products: Record<string, ProductSnapshot>, key: string): string => {
  const product = products[key];
  if (!product) throw new Error(`no fixture product ${key}`);
  return product.productId;
};
