'use client';
import { type InputHTMLAttributes, type ReactNode, useId } from 'react';
import { useFormStatus } from 'react-dom';
import type { FormState } from './form-state';

interface FieldProps extends Omit<InputHTMLAttributes<HTMLInputElement>, 'name'> {
  name: string;
  label: string;
  state?: FormState;
  hint?: ReactNode;
}

/**
 * A labelled input whose error (from the action's state) sits right under it
 * and is announced with it (aria-describedby, aria-invalid). The value the
 * shopper typed comes back from the state, except for passwords.
 */
export function Field({ name, label, state, hint, type = 'text', defaultValue, ...rest }: FieldProps) {
  const id = useId();
  const error = state?.fieldErrors?.[name];
  const hintId = hint ? `${id}-hint` : undefined;
  const errorId = error ? `${id}-error` : undefined;
  const value = type === 'password' ? undefined : (state?.values?.[name] ?? defaultValue);
  return (
    <div className="field">
      <label htmlFor={id}>{label}</label>
      {hint ? (
        <span id={hintId} className="field__hint">
          {hint}
        </span>
      ) : null}
      <input
        id={id}
        name={name}
        type={type}
        defaultValue={value}
        aria-invalid={error ? true : undefined}
        aria-describedby={[hintId, errorId].filter(Boolean).join(' ') || undefined}
        {...rest}
      />
      {error ? (
        <span id={errorId} className="field__error">
          {error}
        </span>
      ) : null}
    </div>
  );
}

/** The form-wide message: an error (alert) or a confirmation (status). */
export function FormMessage({ state }: { state: FormState }) {
  if (!state.message) return null;
  if (state.status === 'success') {
    return (
      <p className="notice notice--ok" role="status">
        {state.message}
      </p>
    );
  }
  return (
    <p className="form-error" role="alert">
      {state.message}
    </p>
  );
}

/** A submit button that says it is working while its form's action runs. */
export function SubmitButton({ children, pendingLabel, className }: { children: ReactNode; pendingLabel?: string; className?: string }) {
  const { pending } = useFormStatus();
  return (
    <button type="submit" className={className} disabled={pending} aria-disabled={pending}>
      {pending ? (pendingLabel ?? children) : children}
    </button>
  );
}
