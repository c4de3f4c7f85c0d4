/**
 * What a form's server action answers (useActionState): a message for the
 * whole form, messages per field (by the input's name), the values to put
 * back so nobody types them again (never passwords), and the graph's error code.
 */
export interface FormState {
  status: 'idle' | 'error' | 'success';
  message?: string;
  fieldErrors?: Record<string, string>;
  values?: Record<string, string>;
  /** The graph's error code (the storefront adds `code:reason`), for forms that offer a way on, e.g. a new reset link. */
  code?: string;
}

/** A text field of a submitted form; '' when it is missing or a file. */
export function text(form: FormData, name: string): string {
  const value = form.get(name);
  return typeof value === 'string' ? value : '';
}
