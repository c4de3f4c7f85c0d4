import 'server-only';
import type { FormState } from './form-state';
import { GraphQLRequestError, RouterUnavailableError } from './graphql';

export { text } from '@commerce/next-kit/form';

/**
 * Words for the graph's errors, by `extensions.code`: never the server's
 * text for codes that are not about one field, never a stack trace.
 */
const MESSAGES: Record<string, string> = {
  SERVICE_UNAVAILABLE: 'The graph is unavailable right now. Try again in a moment.',
  INTERNAL_SERVER_ERROR: 'Something went wrong on the server. Try again.',
  UNAUTHENTICATED: 'Your session has ended. Sign in again.',
  TOKEN_EXPIRED: 'Your session has ended. Sign in again.',
  FORBIDDEN: 'Your account may not do this.',
  NOT_FOUND: 'It no longer exists.',
  BAD_USER_INPUT: 'Check this value.',
  CONFLICT: 'Someone else changed this meanwhile. Reload to see their change, then apply yours again.',
  INSUFFICIENT_STOCK: 'Not possible: units on hand cannot drop below 0 or below what is reserved for orders.',
  INVALID_STATE_TRANSITION: 'The order is no longer in a status that allows this. Reload to see where it is.',
  INVALID_CREDENTIALS: 'That email and password do not match.',
  RATE_LIMITED: 'Too many attempts. Wait a minute and try again.',
  UNSUPPORTED_CURRENCY: 'That currency is not supported.',
};

export function messageFor(code: string | undefined): string {
  return (code && MESSAGES[code]) || 'Something went wrong. Try again.';
}

export interface FormErrorOptions {
  /** Which input an error code belongs to, e.g. { INSUFFICIENT_STOCK: 'delta' }. */
  codeFields?: Record<string, string>;
  /** The form's input names; the graph's `extensions.field` ("variants[0].sku") is placed at the longest name it starts with. */
  fieldNames?: readonly string[];
  /** The graph's field path (or a prefix of it) → the input's name, where they differ, e.g. { amountMinor: 'amount' }. */
  aliases?: Record<string, string>;
  /** Values to show again. */
  values?: Record<string, string>;
  /** Wording per code that overrides the default. */
  messages?: Record<string, string>;
}

/** The input a graph field path belongs to: the exact name, the longest input name it starts with, or its last segment. */
export function inputFor(graphField: string, names: readonly string[]): string | undefined {
  if (names.includes(graphField)) return graphField;
  const prefixes = names.filter((name) => graphField.startsWith(`${name}.`) || graphField.startsWith(`${name}[`));
  if (prefixes.length > 0) return prefixes.sort((a, b) => b.length - a.length)[0];
  const leaf = graphField.split('.').pop() ?? graphField;
  return names.includes(leaf) ? leaf : undefined;
}

/**
 * Turns what a server action caught into the form's state: the message for
 * the error's code, next to the input it is about (`extensions.field`, or the
 * form's own map from code to input). Unknown errors are rethrown (redirect()
 * and forbidden() travel as errors too).
 */
export function formError(error: unknown, options: FormErrorOptions = {}): FormState {
  const values = options.values;
  if (error instanceof RouterUnavailableError) return { status: 'error', message: messageFor('SERVICE_UNAVAILABLE'), values, code: error.code };
  if (!(error instanceof GraphQLRequestError)) throw error;
  const { code } = error;
  const graphField = error.extensions?.field;
  // BAD_USER_INPUT and CONFLICT with a field carry the subgraph's client-safe sentence ("SKU X is already used…").
  const fieldMessage = options.messages?.[code] ?? (code === 'BAD_USER_INPUT' || code === 'CONFLICT' ? error.message : messageFor(code));
  if (typeof graphField === 'string' && (options.fieldNames || options.aliases)) {
    const aliasKey = options.aliases ? inputFor(graphField, Object.keys(options.aliases)) : undefined;
    const name = (aliasKey && options.aliases?.[aliasKey]) || inputFor(graphField, options.fieldNames ?? []);
    if (name) return { status: 'error', fieldErrors: { [name]: fieldMessage }, values, code };
  }
  const message = options.messages?.[code] ?? messageFor(code);
  const field = options.codeFields?.[code];
  if (field) return { status: 'error', fieldErrors: { [field]: message }, values, code };
  const current = error.extensions?.currentVersion;
  const suffix = code === 'CONFLICT' && current !== undefined ? ` (it is now at version ${String(current)})` : '';
  return { status: 'error', message: `${message}${suffix}`, values, code };
}
