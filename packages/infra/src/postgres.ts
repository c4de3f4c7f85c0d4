/**
 * PostgreSQL: one server, one database per domain (ecommerce_<domain>) plus a
 * _test twin, so tests never touch development data. The server itself is the
 * machine's own cluster; this module only starts it if it is down and local.
 */
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { databaseName, databaseUrl, DOMAINS, postgresServerUrl, type AppEnv } from '@commerce/config';
import pg from 'pg';
import { errorCode, errorMessage, isLocalHost, log, run, tail, waitUntil, type RunResult, type ServiceOutcome } from './util.js';

/** postgresServerUrl() without credentials, for messages. */
function displayUrl(): string {
  const url = new URL(postgresServerUrl());
  url.password = '';
  return url.toString();
}

async function withClient<T>(fn: (client: pg.Client) => Promise<T>): Promise<T> {
  // The maintenance database always exists, so this works before ours do.
  const client = new pg.Client({ connectionString: `${postgresServerUrl()}/postgres`, connectionTimeoutMillis: 3_000 });
  await client.connect();
  try {
    return await fn(client);
  } finally {
    await client.end();
  }
}

/** Errors meaning "nothing listens there", as opposed to auth or other failures. */
function isNotListening(error: unknown): boolean {
  // "localhost" resolves to ::1 and 127.0.0.1; Node then reports an AggregateError of both refusals.
  if (error instanceof AggregateError) return error.errors.some(isNotListening);
  return ['ECONNREFUSED', 'ENOENT'].includes(errorCode(error) ?? '');
}

export async function isPostgresUp(): Promise<boolean> {
  try {
    await withClient((client) => client.query('SELECT 1'));
    return true;
  } catch {
    return false;
  }
}

interface LocalCluster {
  version: string;
  name: string;
}

/** Debian clusters (/etc/postgresql/<version>/<name>) configured for `port`, "main" first. */
function localClusters(port: number): LocalCluster[] {
  const root = '/etc/postgresql';
  if (!existsSync(root)) return [];
  const clusters = readdirSync(root).flatMap((version) =>
    readdirSync(join(root, version)).map((name) => ({ version, name, conf: join(root, version, name, 'postgresql.conf') })),
  );
  const portOf = (conf: string): number => {
    const match = /^\s*port\s*=\s*(\d+)/m.exec(readFileSync(conf, 'utf8'));
    return match?.[1] ? Number(match[1]) : 5432;
  };
  return clusters
    .filter(({ conf }) => existsSync(conf) && portOf(conf) === port)
    .sort((a, b) => Number(b.name === 'main') - Number(a.name === 'main'))
    .map(({ version, name }) => ({ version, name }));
}

/**
 * Reuses the PostgreSQL server at POSTGRES_URL; if nothing listens there and
 * it is local, starts the machine's Debian cluster with pg_ctlcluster.
 */
export async function ensurePostgres(): Promise<ServiceOutcome> {
  try {
    await withClient((client) => client.query('SELECT 1'));
    return 'reused';
  } catch (error) {
    if (!isNotListening(error)) throw new Error(`Cannot use PostgreSQL at ${displayUrl()}: ${errorMessage(error)}`);
  }
  const url = new URL(postgresServerUrl());
  const port = Number(url.port || 5432);
  if (!isLocalHost(url.hostname)) throw new Error(`PostgreSQL at ${displayUrl()} is not reachable and is not local, so it cannot be started here.`);
  const [cluster] = localClusters(port);
  if (!cluster) {
    throw new Error(`Nothing listens on PostgreSQL ${displayUrl()} and no local cluster on port ${port} was found under /etc/postgresql. Start PostgreSQL or set POSTGRES_URL.`);
  }
  const { version, name } = cluster;
  log(`postgres: not running, starting cluster ${version}/${name}`);
  let result: RunResult;
  try {
    // --skip-systemctl-redirect: there is no systemd in containers and CI machines.
    result = await run('pg_ctlcluster', ['--skip-systemctl-redirect', version, name, 'start']);
  } catch (error) {
    throw new Error(`Could not run pg_ctlcluster to start PostgreSQL: ${errorMessage(error)}`);
  }
  if (result.code !== 0) throw new Error(`pg_ctlcluster ${version} ${name} start failed:\n${tail(result.output)}`);
  if (!(await waitUntil(isPostgresUp, 30_000, 250))) throw new Error(`PostgreSQL ${version}/${name} was started but does not accept connections at ${displayUrl()}`);
  return 'started';
}

/** Which environments' databases to create: development work also runs tests, so it gets both. */
function environmentsFor(env: AppEnv): AppEnv[] {
  return env === 'test' ? ['test'] : [env, 'test'];
}

/**
 * Creates every missing ecommerce_<domain> database (and the _test twins
 * unless env is 'test') on the server at POSTGRES_URL. Domains whose
 * <DOMAIN>_DATABASE_URL points elsewhere are someone else's business and
 * skipped. Starts a local server first if needed. Returns the names ensured.
 */
export async function ensureDatabases(env: AppEnv): Promise<string[]> {
  return (await ensurePostgresWithDatabases(env)).databases;
}

/** ensurePostgres() then the databases, reporting whether the server was started. */
export async function ensurePostgresWithDatabases(env: AppEnv): Promise<{ outcome: ServiceOutcome; databases: string[] }> {
  const outcome = await ensurePostgres();
  const server = postgresServerUrl();
  const wanted = environmentsFor(env).flatMap((e) =>
    DOMAINS.filter((domain) => databaseUrl(domain, e) === `${server}/${databaseName(domain, e)}`).map((domain) => databaseName(domain, e)),
  );
  return withClient(async (client) => {
    const { rows } = await client.query<{ datname: string }>('SELECT datname FROM pg_database WHERE datname = ANY($1)', [wanted]);
    const existing = new Set(rows.map((row) => row.datname));
    const missing = wanted.filter((name) => !existing.has(name));
    for (const name of missing) {
      try {
        // Names come from DOMAINS ([a-z_]), so quoting them is enough; CREATE DATABASE takes no parameters.
        await client.query(`CREATE DATABASE "${name}"`);
      } catch (error) {
        // 42P04 duplicate_database / 23505: a concurrent caller created it first.
        if (!['42P04', '23505'].includes(errorCode(error) ?? '')) throw error;
      }
    }
    log(`postgres: ${outcome} ${displayUrl()}, ${wanted.length} databases${missing.length ? ` (created ${missing.join(', ')})` : ''}`);
    return { outcome, databases: wanted };
  });
}
