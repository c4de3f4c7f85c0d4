export { searchSubgraph, type SearchSubgraphOptions, type SearchConsumerSettings } from './subgraph.js';
export { createSearchPrisma, type SearchPrisma } from './data/prisma.js';
export { indexSnapshots, type IndexResult } from './service/indexing.service.js';
export { reindex, ReindexInProgressError, type ReindexOptions, type ReindexResult } from './service/reindex.service.js';
export { snapshotExportSource, exportHeader, EXPORT_FORMAT } from './reindex/export-file.js';
export { productReplaySource } from './events/product-replay.js';
export { startSearchConsumer, SEARCH_CONSUMER_GROUP } from './events/consumer.js';
export type { SnapshotSource } from './reindex/sources.js';
