/**
 * `npm run db:seed` (root) / `npm run seed -w subgraphs/catalog`:
 * loads the demo catalog into the catalog database of APP_ENV (default
 * development). Options:
 *   --env test|development|production   which database (default: APP_ENV)
 *   --authors <id,id,...>               user ids to attribute reviews to
 *   --no-events                         do not write product.created outbox rows
 * SEED_AUTHOR_IDS (comma-separated) is read when --authors is not given.
 */
import { parseArgs } from 'node:util';
import { appEnv, databaseUrl, readEnv, type AppEnv } from '@commerce/config';
import { seedCatalog } from './seed.js';

const { values } = parseArgs({
  options: {
    env: { type: 'string' },
    authors: { type: 'string' },
    'no-events': { type: 'boolean', default: false },
  },
});

const env = values.env ?? appEnv();
if (env !== 'test' && env !== 'development' && env !== 'production') {
  throw new Error(`--env must be test, development or production, not "${env}"`);
}
const authorIds = (values.authors ?? readEnv('SEED_AUTHOR_IDS') ?? '')
  .split(',')
  .map((id) => id.trim())
  .filter(Boolean);

const result = await seedCatalog({
  databaseUrl: databaseUrl('catalog', env satisfies AppEnv),
  ...(authorIds.length ? { authorIds } : {}),
  publishEvents: !values['no-events'],
});
const inserted = Object.entries(result.inserted)
  .map(([table, count]) => `${count} ${table}`)
  .join(', ');
console.log(`catalog seed (${env}): ${result.products} demo products present; inserted ${inserted}; ${result.durationMs} ms`);
