/**
 * Classifying the SQL a Prisma client logged, for tests that bound how many
 * statements a path costs: the service's own statements are counted apart
 * from transaction control and from outbox appends (packages/events).
 */
export const isTransactionControl = (sql: string): boolean => /^\s*(BEGIN|COMMIT|ROLLBACK)\b/i.test(sql);

export const isOutboxAppend = (sql: string): boolean => /outbox_events|pg_advisory_xact_lock/i.test(sql);

/** A service's own statements among `queries`: neither transaction control nor outbox appends. */
export const ownStatements = (queries: readonly string[]): string[] =>
  queries.filter((sql) => !isTransactionControl(sql) && !isOutboxAppend(sql));
