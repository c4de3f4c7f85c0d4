'use client';
import type { ComponentProps } from 'react';

/** A select that submits its form when changed; the form still has its own button for when scripts do not run. */
export function AutoSubmitSelect(props: ComponentProps<'select'>) {
  return <select {...props} onChange={(event) => event.currentTarget.form?.requestSubmit()} />;
}
