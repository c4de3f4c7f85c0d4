import { z } from 'zod';
import { defineEvent } from '../define.js';
import { TOPICS } from '../topics.js';
import { isoTimestamp, uuid } from './common.js';

/** Roles as in the users schema (and @commerce/auth ROLES). Duplicated to keep events free of auth. */
export const userRoleSchema = z.enum(['CUSTOMER', 'ADMIN']);

export const userRegisteredSchema = z.object({
  userId: uuid,
  /** Lower-cased, as stored by the users service. */
  email: z.email(),
  name: z.string().min(1),
  role: userRoleSchema,
  registeredAt: isoTimestamp,
});

/** A new account exists. Aggregate: the user (aggregateId = userId). */
export const UserRegistered = defineEvent({
  type: 'user.registered',
  version: 1,
  topic: TOPICS.user,
  schema: userRegisteredSchema,
});

export type UserRegisteredPayload = z.output<typeof userRegisteredSchema>;

export const userPasswordResetRequestedSchema = z.object({
  userId: uuid,
  email: z.email(),
  name: z.string().min(1),
  /**
   * The single-use reset token, for the link in the email. Only its hash is
   * stored by users; it expires at expiresAt. Internal topic only: never
   * forwarded to clients or logs.
   */
  resetToken: z.string().min(32),
  expiresAt: isoTimestamp,
});

/** Someone asked to reset this account's password; notifications emails the link. */
export const UserPasswordResetRequested = defineEvent({
  type: 'user.password_reset_requested',
  version: 1,
  topic: TOPICS.user,
  schema: userPasswordResetRequestedSchema,
});

export type UserPasswordResetRequestedPayload = z.output<typeof userPasswordResetRequestedSchema>;
