import { GraphQLScalarType, Kind } from 'graphql';
import { badInput } from '@commerce/errors';

// ISO 8601 date-time with a zone (Z or ±hh:mm); a bare date or local time is ambiguous.
const ISO_DATE_TIME = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d{1,9})?)?(Z|[+-]\d{2}:\d{2})$/i;

function parseIso(value: unknown): Date {
  if (typeof value !== 'string' || !ISO_DATE_TIME.test(value)) {
    throw badInput('DateTime must be an ISO 8601 string with a time zone, e.g. 2024-01-31T12:00:00Z.');
  }
  const date = new Date(value);
  if (Number.isNaN(date.getTime())) throw badInput(`"${value}" is not a valid DateTime.`);
  return date;
}

/**
 * `scalar DateTime`: a `Date` (or an ISO string / epoch millis coming from the
 * database layer) goes out as an ISO string in UTC; input must be an ISO string
 * with a zone and becomes a `Date`. Garbage is BAD_USER_INPUT, never a 500.
 */
export const DateTimeScalar = new GraphQLScalarType<Date, string>({
  name: 'DateTime',
  description: 'An ISO 8601 date-time in UTC, e.g. 2024-01-31T12:00:00.000Z.',
  serialize(value: unknown): string {
    const date = value instanceof Date ? value : typeof value === 'string' || typeof value === 'number' ? new Date(value) : null;
    // Output is our own data, so a bad value is a bug: a plain Error gets masked as INTERNAL_SERVER_ERROR.
    if (!date || Number.isNaN(date.getTime())) throw new Error(`DateTime cannot serialize ${String(value)}`);
    return date.toISOString();
  },
  parseValue: parseIso,
  parseLiteral(ast): Date {
    if (ast.kind !== Kind.STRING) throw badInput('DateTime must be a string.');
    return parseIso(ast.value);
  },
});
