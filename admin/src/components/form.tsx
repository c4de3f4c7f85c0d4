'use client';
import {
  createContext,
  type InputHTMLAttributes,
  type ReactNode,
  type SelectHTMLAttributes,
  type TextareaHTMLAttributes,
  use,
  useActionState,
  useId,
} from 'react';
import { type FormState, IDLE } from '@/lib/form-state';

type Action = (state: FormState, form: FormData) => Promise<FormState>;

const FormStateContext = createContext<FormState>(IDLE);

export interface ActionFormProps {
  action: Action;
  children: ReactNode;
  submitLabel: string;
  /** Names the form for assistive technology (several forms share a page). */
  label?: string;
  className?: string;
  /** A destructive action's button looks like one. */
  danger?: boolean;
  /** Asked before submitting (window.confirm), e.g. for a cancel or a refund. */
  confirm?: string;
}

/**
 * A form posted to a server action (useActionState): the action validates
 * again on the server and answers a FormState, whose messages land next to
 * their inputs (Field, reading this form's state) or above the button.
 */
export function ActionForm({ action, children, submitLabel, label, className, danger, confirm }: ActionFormProps) {
  const [state, formAction, pending] = useActionState(action, IDLE);
  return (
    <form
      action={formAction}
      aria-label={label}
      className={className ?? 'form'}
      onSubmit={(event) => {
        if (confirm && !window.confirm(confirm)) event.preventDefault();
      }}
    >
      <FormStateContext value={state}>
        {children}
        <FormMessage state={state} />
        <div className="form__actions">
          <button type="submit" className={danger ? 'button button--danger' : 'button'} disabled={pending} aria-disabled={pending}>
            {pending ? 'Working…' : submitLabel}
          </button>
        </div>
      </FormStateContext>
    </form>
  );
}

export function FormMessage({ state }: { state: FormState }) {
  if (!state.message) return null;
  return state.status === 'success' ? (
    <p className="notice notice--ok" role="status">
      {state.message}
    </p>
  ) : (
    <p className="form-error" role="alert">
      {state.message}
    </p>
  );
}

function useField(name: string, defaultValue: unknown) {
  const state = use(FormStateContext);
  const id = useId();
  const error = state.fieldErrors?.[name];
  const value = state.values?.[name] ?? (defaultValue === undefined || defaultValue === null ? undefined : String(defaultValue));
  return { id, error, errorId: error ? `${id}-error` : undefined, value };
}

interface FieldBase {
  name: string;
  label: string;
  hint?: ReactNode;
  /** Keep the label for screen readers only (a table cell's input). */
  hideLabel?: boolean;
}

function FieldShell({ id, label, hint, hintId, error, errorId, hideLabel, children }: {
  id: string;
  label: string;
  hint?: ReactNode;
  hintId?: string;
  error?: string;
  errorId?: string;
  hideLabel?: boolean;
  children: ReactNode;
}) {
  return (
    <div className="field">
      <label htmlFor={id} className={hideLabel ? 'visually-hidden' : undefined}>
        {label}
      </label>
      {hint ? (
        <span id={hintId} className="field__hint">
          {hint}
        </span>
      ) : null}
      {children}
      {error ? (
        <span id={errorId} className="field__error">
          {error}
        </span>
      ) : null}
    </div>
  );
}

/** A labelled input whose graph or validation error sits under it (aria-describedby, aria-invalid). */
export function Field({ name, label, hint, hideLabel, defaultValue, type = 'text', ...rest }: FieldBase & Omit<InputHTMLAttributes<HTMLInputElement>, 'name'>) {
  const { id, error, errorId, value } = useField(name, defaultValue);
  const hintId = hint ? `${id}-hint` : undefined;
  return (
    <FieldShell id={id} label={label} hint={hint} hintId={hintId} error={error} errorId={errorId} hideLabel={hideLabel}>
      <input
        id={id}
        name={name}
        type={type}
        defaultValue={type === 'password' ? undefined : value}
        aria-invalid={error ? true : undefined}
        aria-describedby={[hintId, errorId].filter(Boolean).join(' ') || undefined}
        {...rest}
      />
    </FieldShell>
  );
}

export function SelectField({ name, label, hint, hideLabel, defaultValue, children, ...rest }: FieldBase & Omit<SelectHTMLAttributes<HTMLSelectElement>, 'name'>) {
  const { id, error, errorId, value } = useField(name, defaultValue);
  const hintId = hint ? `${id}-hint` : undefined;
  return (
    <FieldShell id={id} label={label} hint={hint} hintId={hintId} error={error} errorId={errorId} hideLabel={hideLabel}>
      <select
        // React applies a select's defaultValue only when it mounts, and a form action resets the form to its
        // defaults: a new key per value keeps the chosen option after an answer with errors.
        key={value ?? ''}
        id={id}
        name={name}
        defaultValue={value}
        aria-invalid={error ? true : undefined}
        aria-describedby={[hintId, errorId].filter(Boolean).join(' ') || undefined}
        {...rest}
      >
        {children}
      </select>
    </FieldShell>
  );
}

export function TextAreaField({ name, label, hint, defaultValue, ...rest }: FieldBase & Omit<TextareaHTMLAttributes<HTMLTextAreaElement>, 'name'>) {
  const { id, error, errorId, value } = useField(name, defaultValue);
  const hintId = hint ? `${id}-hint` : undefined;
  return (
    <FieldShell id={id} label={label} hint={hint} hintId={hintId} error={error} errorId={errorId}>
      <textarea
        id={id}
        name={name}
        defaultValue={value}
        aria-invalid={error ? true : undefined}
        aria-describedby={[hintId, errorId].filter(Boolean).join(' ') || undefined}
        {...rest}
      />
    </FieldShell>
  );
}

export function CheckboxField({ name, label, defaultChecked }: { name: string; label: string; defaultChecked?: boolean }) {
  const { id, error, errorId, value } = useField(name, undefined);
  const checked = value === undefined ? defaultChecked : value === 'on';
  return (
    <div className="field field--check">
      <input id={id} name={name} type="checkbox" defaultChecked={checked} aria-describedby={errorId} />
      <label htmlFor={id}>{label}</label>
      {error ? (
        <span id={errorId} className="field__error">
          {error}
        </span>
      ) : null}
    </div>
  );
}

/**
 * An amount typed as a decimal ("19.99"), sent as text: the server turns it
 * into integer minor units by string work (lib/money.ts parseMoneyInput),
 * never through a float. The browser checks the pattern first.
 */
export function MoneyField({ name, label, currency, defaultValue, required, hideLabel }: {
  name: string;
  label: string;
  currency: string;
  defaultValue?: string;
  required?: boolean;
  hideLabel?: boolean;
}) {
  return (
    <Field
      name={name}
      label={`${label} (${currency})`}
      hideLabel={hideLabel}
      inputMode="decimal"
      pattern="\d{1,9}([.,]\d{1,2})?"
      title="An amount like 19.99"
      autoComplete="off"
      defaultValue={defaultValue}
      required={required}
      className="input--money"
    />
  );
}
