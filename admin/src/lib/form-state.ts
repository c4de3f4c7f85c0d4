/**
 * What a form's server action answers (useActionState): a message for the
 * whole form, messages per field (by the input's name), the values to put
 * back, and the graph's error code.
 */
export interface FormState {
  status: 'idle' | 'error' | 'success';
  message?: string;
  fieldErrors?: Record<string, string>;
  values?: Record<string, string>;
  code?: string;
}

export const IDLE: FormState = { status: 'idle' };
