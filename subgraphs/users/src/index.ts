/** What other workspaces (dev start, e2e tests) may use from the users subgraph. */
export { usersSubgraph, type UsersSubgraphOptions } from './subgraph.js';
export {
  ensureAdmin,
  adminCredentialsFromEnv,
  DEV_ADMIN_EMAIL,
  DEV_ADMIN_PASSWORD,
  type AdminCredentials,
} from './service/auth.service.js';
export { systemContext, type UsersContext, type ServiceContext } from './context.js';
export { createPrismaClient, type UsersDb } from './data/prisma.js';
