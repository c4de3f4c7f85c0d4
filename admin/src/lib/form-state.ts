import type { FormState } from '@commerce/next-kit/form';

export type { FormState };

export const IDLE: FormState = { status: 'idle' };
