export { inventorySubgraph, type InventorySubgraphOptions, type InventoryRuntime } from './subgraph.js';
export {
  demoInitialStock,
  zeroInitialStock,
  initialStockStrategy,
  type InitialStockStrategy,
  type InitialStockStrategyName,
} from './service/initial-stock.js';
export { WAREHOUSE_IDS } from './data/ids.js';
