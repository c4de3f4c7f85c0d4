import type { FormState } from '@commerce/next-kit/form';

export type { FormState };

export const IDLE: FormState = { status: 'idle' };

/** The users subgraph's password policy, shown next to every new-password field. */
export const PASSWORD_RULE = 'At least 10 characters, with a letter and a digit or symbol.';
