import 'server-only';
import type { FormState } from '@/components/account/form-state';
import { messageFor } from './errors';
import { GraphQLRequestError, RouterUnavailableError } from './graphql';

export { text } from '@commerce/next-kit/form';

export interface FormErrorOptions {
  /** Which form input an error code belongs to, e.g. { WEAK_PASSWORD: 'password' }. */
  codeFields?: Record<string, string>;
  /** The graph's `extensions.field` (input path) → the form input's name, e.g. { newEmail: 'email' }. */
  fieldNames?: Record<string, string>;
  /** Values to show again (never passwords). */
  values?: Record<string, string>;
  /** Per-form wording that overrides messageFor, by code or `code:reason`. */
  messages?: Record<string, string>;
}

/**
 * Turns what a server action caught into the form's state: the message for
 * the error's code (lib/errors), placed at the input it is about. A
 * BAD_USER_INPUT that names its field carries the users subgraph's own
 * client-safe sentence ("Enter a valid email address."); anything else gets
 * the mapped wording, never the server's text. Unknown errors are rethrown
 * (redirect() and notFound() travel as errors too).
 */
export function formError(error: unknown, options: FormErrorOptions = {}): FormState {
  const values = options.values;
  if (error instanceof RouterUnavailableError) {
    return { status: 'error', message: messageFor('SERVICE_UNAVAILABLE'), values };
  }
  if (!(error instanceof GraphQLRequestError)) throw error;
  const { code, reason } = error;
  const tag = reason ? `${code}:${reason}` : code;
  const custom = options.messages?.[`${code}:${reason}`] ?? options.messages?.[code];
  const message = custom ?? messageFor(code, reason);
  const graphField = error.errors[0]?.extensions?.field;
  if (code === 'BAD_USER_INPUT' && !reason && typeof graphField === 'string') {
    const leaf = graphField.split('.').pop() ?? graphField;
    const name = options.fieldNames?.[graphField] ?? options.fieldNames?.[leaf] ?? leaf;
    return { status: 'error', fieldErrors: { [name]: custom ?? error.message }, values, code: tag };
  }
  const field = options.codeFields?.[code];
  if (field) return { status: 'error', fieldErrors: { [field]: message }, values, code: tag };
  return { status: 'error', message, values, code: tag };
}
