/**
 * A migration-capable driver adapter for Prisma 6.19's WebAssembly schema
 * engine (`engine: "js"`), built on @prisma/adapter-pg 6.19.3.
 *
 * Used only by the diffing commands (check-drift, new); deploying migrations
 * goes through our own applier in migrate.ts. As a *migration* adapter,
 * @prisma/adapter-pg 6.19.3 has four defects on PostgreSQL 15, fixed here in
 * our code (node_modules stays untouched, npm 11 runs no install scripts):
 *
 *  1. Introspection selects catalog columns of type `name` (OID 19) and
 *     `"char"` (OID 18), which the adapter rejects as unsupported. We rewrite
 *     those OIDs to `text` in each RowDescription, before pg picks a parser.
 *  2. The shadow database is derived with `{ ...config, database }`, which pg
 *     ignores when `connectionString` is set, so the "shadow" is the main
 *     database (P3006). We always pass host/port/user/database separately.
 *  3. The shadow database is dropped before its pool is closed ("being
 *     accessed by other users"). We close the pool first, then drop it.
 *  4. `executeScript` splits on every `;`, breaking dollar-quoted bodies
 *     (functions, DO blocks). We send the script as one simple-protocol query,
 *     which PostgreSQL executes statement by statement. (Measured: `migrate
 *     diff` builds its shadow database without executeScript, but `migrate
 *     deploy`/`dev` through the engine fail on a plpgsql body without this.)
 *
 * Pools also use short idle timeouts and `allowExitOnIdle`, so idle
 * connections never keep the CLI process alive.
 */
import { randomUUID } from 'node:crypto';
import pg from 'pg';
import { PrismaPg } from '@prisma/adapter-pg';
import { parseConnectionUrl, pgConnectionConfig, quoteIdent, type ConnectionFields } from './connection.ts';

/** The adapter type PrismaPg produces (its class is not exported by name). */
export type PgMigrationAdapter = Awaited<ReturnType<PrismaPg['connect']>>;

/** Structural subset of Prisma's SqlMigrationAwareDriverAdapterFactory. */
export interface MigrationAdapterFactory {
  readonly provider: 'postgres';
  readonly adapterName: string;
  connect(): Promise<PgMigrationAdapter>;
  connectToShadowDb(): Promise<PgMigrationAdapter>;
}

/** Type OIDs the adapter cannot map, rewritten to an equivalent it can. */
const OID_REWRITES: ReadonlyMap<number, number> = new Map([
  [18, 25], // "char" -> text
  [19, 25], // name -> text
  [1003, 1009], // name[] -> text[]
]);

interface RowDescriptionMessage {
  fields: Array<{ dataTypeID: number }>;
}

/**
 * pg.Client whose row descriptions report `name`/`"char"` columns as text.
 * `_handleRowDescription` is pg's (untyped) internal hook that runs before the
 * result's parsers are chosen, so values and reported types stay consistent.
 */
class IntrospectionSafeClient extends pg.Client {}
{
  const proto = IntrospectionSafeClient.prototype as unknown as {
    _handleRowDescription(this: pg.Client, msg: RowDescriptionMessage): void;
  };
  const original = proto._handleRowDescription;
  if (typeof original !== 'function') {
    throw new Error('pg.Client no longer has _handleRowDescription; revisit prisma/src/adapter.ts (defect 1)');
  }
  proto._handleRowDescription = function (this: pg.Client, msg: RowDescriptionMessage): void {
    for (const field of msg.fields) {
      const rewritten = OID_REWRITES.get(field.dataTypeID);
      if (rewritten !== undefined) field.dataTypeID = rewritten;
    }
    original.call(this, msg);
  };
}

function poolFor(fields: ConnectionFields): pg.Pool {
  return new pg.Pool({
    ...pgConnectionConfig(fields),
    max: 4,
    idleTimeoutMillis: 200,
    allowExitOnIdle: true,
    Client: IntrospectionSafeClient,
  });
}

/** Defect 4: run a script as one query so dollar-quoted bodies survive. */
function withWholeScriptExecution(adapter: PgMigrationAdapter): PgMigrationAdapter {
  adapter.executeScript = async (script: string): Promise<void> => {
    try {
      await adapter.underlyingDriver().query(script);
    } catch (error) {
      // Reuse the adapter's own error mapping so the engine sees the same error kinds.
      (adapter as unknown as { onError(e: unknown): never }).onError(error);
    }
  };
  return adapter;
}

async function connectTo(fields: ConnectionFields): Promise<PgMigrationAdapter> {
  const options = fields.schema ? { schema: fields.schema, disposeExternalPool: true } : { disposeExternalPool: true };
  const adapter = await new PrismaPg(poolFor(fields), options).connect();
  return withWholeScriptExecution(adapter);
}

/**
 * Factory handed to Prisma 6 through `adapter` in the engine config.
 * `connect()` opens the target database; `connectToShadowDb()` creates a
 * throw-away database on the same server and drops it on dispose.
 */
export function createMigrationAdapterFactory(url: string): MigrationAdapterFactory {
  const fields = parseConnectionUrl(url);
  return {
    provider: 'postgres',
    adapterName: '@prisma/adapter-pg',
    connect: () => connectTo(fields),
    async connectToShadowDb(): Promise<PgMigrationAdapter> {
      const shadowName = `prisma_migrate_shadow_db_${randomUUID()}`;
      const admin = poolFor({ ...fields, database: 'postgres' });
      try {
        await admin.query(`CREATE DATABASE ${quoteIdent(shadowName)}`);
      } finally {
        await admin.end();
      }
      const shadow = await connectTo({ ...fields, database: shadowName });
      const disposeShadowPool = shadow.dispose.bind(shadow);
      // Defect 3: close the shadow pool first, then drop the database.
      shadow.dispose = async (): Promise<void> => {
        await disposeShadowPool();
        const dropper = poolFor({ ...fields, database: 'postgres' });
        try {
          // FORCE only matters if the engine leaked a connection; ours are closed by now.
          await dropper.query(`DROP DATABASE IF EXISTS ${quoteIdent(shadowName)} WITH (FORCE)`);
        } finally {
          await dropper.end();
        }
      };
      return shadow;
    },
  };
}
