/** PostgreSQL connection URLs split into the separate fields pg accepts. */
export interface ConnectionFields {
  host: string;
  port: number;
  user: string;
  password?: string;
  database: string;
  /** `?schema=` of a Prisma-style URL; PostgreSQL's default (public) when absent. */
  schema?: string;
}

/** What pg's Client and Pool take from the fields (`schema` is Prisma's, not a server option). */
export interface PgConnectionConfig {
  host: string;
  port: number;
  user: string;
  database: string;
  password?: string;
}

export function pgConnectionConfig(fields: ConnectionFields): PgConnectionConfig {
  const { host, port, user, database, password } = fields;
  return password === undefined ? { host, port, user, database } : { host, port, user, database, password };
}

/**
 * Parse a postgres:// URL. We always connect with separate fields rather than
 * a connectionString: pg lets a connectionString silently override any other
 * field (that is defect 2 of @prisma/adapter-pg, see adapter.ts), and it would
 * forward Prisma's `?schema=` to the server as an unknown startup option.
 */
export function parseConnectionUrl(url: string): ConnectionFields {
  const parsed = new URL(url);
  if (parsed.protocol !== 'postgresql:' && parsed.protocol !== 'postgres:') {
    throw new Error(`Not a PostgreSQL URL: ${redactUrl(url)}`);
  }
  const fields: ConnectionFields = {
    // ?host=/var/run/postgresql selects a Unix socket directory, as in libpq.
    host: parsed.searchParams.get('host') || decodeURIComponent(parsed.hostname) || '127.0.0.1',
    port: parsed.port ? Number(parsed.port) : 5432,
    user: decodeURIComponent(parsed.username) || 'postgres',
    database: decodeURIComponent(parsed.pathname.replace(/^\//, '')) || 'postgres',
  };
  if (parsed.password) fields.password = decodeURIComponent(parsed.password);
  const schema = parsed.searchParams.get('schema');
  if (schema) fields.schema = schema;
  return fields;
}

/** Same server and credentials, another database (e.g. the maintenance db `postgres`). */
export function withDatabase(url: string, database: string): string {
  const parsed = new URL(url);
  parsed.pathname = `/${encodeURIComponent(database)}`;
  parsed.searchParams.delete('schema');
  return parsed.toString();
}

/** The URL without its password, for messages. */
export function redactUrl(url: string): string {
  try {
    const parsed = new URL(url);
    if (parsed.password) parsed.password = '***';
    return parsed.toString();
  } catch {
    return '<unparseable url>';
  }
}

export const quoteIdent = (name: string): string => `"${name.replace(/"/g, '""')}"`;
