/**
 * Runtime configuration shared by every service, script and test.
 * Everything comes from environment variables with local defaults, so the
 * same code runs against managed PostgreSQL, Redis and Kafka in production.
 */

export const DOMAINS = [
  'users',
  'catalog',
  'cart',
  'orders',
  'payments',
  'inventory',
  'notifications',
  'search',
] as const;
export type Domain = (typeof DOMAINS)[number];

/** Default local port of each subgraph; the router listens on 4000. */
export const DEFAULT_SUBGRAPH_PORTS: Readonly<Record<Domain, number>> = {
  users: 4001,
  catalog: 4002,
  cart: 4003,
  orders: 4004,
  payments: 4005,
  inventory: 4006,
  notifications: 4007,
  search: 4008,
};
export const DEFAULT_ROUTER_PORT = 4000;

export type AppEnv = 'development' | 'test' | 'production';

export function readEnv(name: string, fallback: string): string;
export function readEnv(name: string, fallback?: undefined): string | undefined;
export function readEnv(name: string, fallback?: string): string | undefined {
  const value = process.env[name];
  return value === undefined || value === '' ? fallback : value;
}

export function readIntEnv(name: string, fallback: number): number {
  const raw = readEnv(name);
  if (raw === undefined) return fallback;
  const value = Number.parseInt(raw, 10);
  if (!Number.isFinite(value)) throw new Error(`Environment variable ${name} must be an integer, got "${raw}"`);
  return value;
}

/** APP_ENV wins; otherwise NODE_ENV decides (vitest sets NODE_ENV=test). */
export function appEnv(): AppEnv {
  const value = readEnv('APP_ENV') ?? readEnv('NODE_ENV') ?? 'development';
  if (value === 'production' || value === 'test') return value;
  return 'development';
}

export const isProduction = (): boolean => appEnv() === 'production';

/** Base server URL without a database, e.g. postgresql://postgres@127.0.0.1:5432 */
export function postgresServerUrl(): string {
  return readEnv('POSTGRES_URL', 'postgresql://postgres@127.0.0.1:5432').replace(/\/+$/, '');
}

/** Name of a domain's own database: ecommerce_<domain>, with a _test suffix under test. */
export function databaseName(domain: Domain, env: AppEnv = appEnv()): string {
  return `ecommerce_${domain}${env === 'test' ? '_test' : ''}`;
}

/**
 * Connection string of a domain's own database. `<DOMAIN>_DATABASE_URL`
 * (e.g. USERS_DATABASE_URL) overrides it entirely for managed databases.
 */
export function databaseUrl(domain: Domain, env: AppEnv = appEnv()): string {
  const override = readEnv(`${domain.toUpperCase()}_DATABASE_URL`);
  if (override && env !== 'test') return override;
  const testOverride = readEnv(`${domain.toUpperCase()}_TEST_DATABASE_URL`);
  if (testOverride && env === 'test') return testOverride;
  return `${postgresServerUrl()}/${databaseName(domain, env)}`;
}

export function redisUrl(): string {
  return readEnv('REDIS_URL', 'redis://127.0.0.1:6379');
}

export function kafkaBrokers(): string[] {
  return readEnv('KAFKA_BROKERS', '127.0.0.1:9092')
    .split(',')
    .map((broker) => broker.trim())
    .filter(Boolean);
}

export function subgraphPort(domain: Domain): number {
  return readIntEnv(`${domain.toUpperCase()}_PORT`, DEFAULT_SUBGRAPH_PORTS[domain]);
}

export function subgraphUrl(domain: Domain): string {
  return readEnv(`${domain.toUpperCase()}_URL`, `http://127.0.0.1:${subgraphPort(domain)}/graphql`);
}

export function routerPort(): number {
  return readIntEnv('ROUTER_PORT', readIntEnv('PORT', DEFAULT_ROUTER_PORT));
}

/** Absolute path of the repository root (packages/config/src -> ../../..). */
export function repoRoot(): string {
  return new URL('../../../', import.meta.url).pathname.replace(/\/$/, '');
}

/**
 * Defaults for every Prisma interactive transaction. Prisma's own (wait 2 s
 * for a pooled connection, run at most 5 s) turn a burst of checkouts into
 * 500s instead of a short queue; these let a burst queue for a connection.
 */
export const PRISMA_TRANSACTION_DEFAULTS = { maxWait: 10_000, timeout: 15_000 } as const;

/**
 * Most distinct SQL texts one process prepares. Statements past it run
 * unnamed (parsed and planned every time), so SQL whose text varies with
 * its input, such as a multi-row VALUES list, cannot grow the server's
 * per-connection statement cache without bound.
 */
const MAX_PREPARED_STATEMENTS = 1_000;

/**
 * Options for the pg driver adapter (`new PrismaPg(pool, prismaPgOptions())`):
 * names for its prepared statements. With a name, pg parses
 * a statement once per connection and PostgreSQL can keep its plan. Without
 * one, every execution is parsed, analysed and planned again. A perf profile
 * of the orders database under bench:checkout put parsing, analysis and
 * planning at about a third of PostgreSQL's CPU.
 *
 * Names are per process and per SQL text, the same on every connection.
 * Set DATABASE_PREPARED_STATEMENTS=false behind a pooler that cannot keep
 * protocol-level prepared statements (PgBouncer before 1.21 in transaction
 * mode).
 */
export function prismaPgOptions(): { statementNameGenerator?: (query: { sql: string }) => string } {
  if (readEnv('DATABASE_PREPARED_STATEMENTS', 'true').toLowerCase() === 'false') return {};
  const names = new Map<string, string>();
  const statementNameGenerator = ({ sql }: { sql: string }): string => {
    const known = names.get(sql);
    if (known !== undefined) return known;
    // The empty name is PostgreSQL's unnamed statement: not kept.
    if (names.size >= MAX_PREPARED_STATEMENTS) return '';
    const name = `prisma_${names.size.toString(36)}`;
    names.set(sql, name);
    return name;
  };
  return { statementNameGenerator };
}
