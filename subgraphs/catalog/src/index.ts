export { catalogSubgraph, type CatalogSubgraphOptions } from './subgraph.js';
export { seedCatalog, type SeedCatalogOptions, type SeedCatalogResult } from './seed/seed.js';
