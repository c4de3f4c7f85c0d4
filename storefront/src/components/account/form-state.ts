/**
 * What a form's server action answers (useActionState): a message for the
 * whole form, messages per field (by the input's name), and the values to put
 * back so the shopper does not type them again (never passwords).
 */
export interface FormState {
  status: 'idle' | 'error' | 'success';
  message?: string;
  fieldErrors?: Record<string, string>;
  values?: Record<string, string>;
  /** The graph's error code (and `code:reason`), for forms that offer a way on, e.g. a new reset link. */
  code?: string;
}

export const IDLE: FormState = { status: 'idle' };

/** The users subgraph's password policy, shown next to every new-password field. */
export const PASSWORD_RULE = 'At least 10 characters, with a letter and a digit or symbol.';
