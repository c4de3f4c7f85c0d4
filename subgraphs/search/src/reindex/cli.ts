/**
 * npm run reindex -w subgraphs/search -- [--from-export <file.jsonl> | --from-events] [--env test] [--batch-size 500] [--no-prune]
 *
 * Rebuilds the search read model while it serves traffic (see
 * service/reindex.service.ts). Default source: a replay of the product topic.
 */
import { parseArgs } from 'node:util';
import { type AppEnv, databaseUrl } from '@commerce/config';
import { createLogger } from '@commerce/observability';
import { createSearchPrisma } from '../data/prisma.js';
import { productReplaySource } from '../events/product-replay.js';
import { reindex } from '../service/reindex.service.js';
import { snapshotExportSource } from './export-file.js';

const { values } = parseArgs({
  options: {
    'from-export': { type: 'string' },
    'from-events': { type: 'boolean', default: false },
    env: { type: 'string' },
    'batch-size': { type: 'string', default: '500' },
    'no-prune': { type: 'boolean', default: false },
  },
});

const env = values.env as AppEnv | undefined;
if (env && !['development', 'test', 'production'].includes(env)) throw new Error(`--env must be development, test or production, not ${env}`);
if (values['from-export'] && values['from-events']) throw new Error('Give --from-export <file> or --from-events, not both.');
const batchSize = Number.parseInt(values['batch-size'], 10);
if (!Number.isInteger(batchSize) || batchSize < 1) throw new Error('--batch-size must be a positive integer');

const logger = createLogger({ service: 'search-reindex' });
const url = databaseUrl('search', env);
const prisma = createSearchPrisma({ databaseUrl: url });
const source = values['from-export'] ? snapshotExportSource(values['from-export']) : productReplaySource({ logger });

try {
  let lastReport = 0;
  const result = await reindex({
    prisma,
    databaseUrl: url,
    source,
    batchSize,
    prune: !values['no-prune'],
    onProgress: ({ snapshots }) => {
      if (Date.now() - lastReport < 2_000) return;
      lastReport = Date.now();
      console.error(`  ${snapshots} snapshots indexed...`);
    },
  });
  const seconds = result.durationMs / 1000;
  console.log(
    `reindex ${result.source} → generation ${result.generation}: ${result.snapshots} snapshots, ${result.written} written, ` +
      `${result.pruned === null ? 'no prune (source not complete or --no-prune)' : `${result.pruned} stale removed`}, ` +
      `${result.skipped} skipped, ${seconds.toFixed(1)} s (${Math.round(result.snapshots / Math.max(seconds, 0.001))}/s)`,
  );
} catch (error) {
  console.error(`reindex failed: ${error instanceof Error ? error.message : String(error)}`);
  process.exitCode = 1;
} finally {
  await prisma.$disconnect();
}
