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

export const userEmailChangeRequestedSchema = z.object({
  userId: uuid,
  name: z.string().min(1),
  /** Lower-cased. Not confirmed yet: consumers must not treat it as the account's email. */
  newEmail: z.email(),
  /**
   * The single-use confirmation token, for the link emailed to `newEmail`.
   * Only its hash is stored by users; it expires at expiresAt. Internal topic
   * only: never forwarded to clients or logs.
   */
  confirmationToken: z.string().min(32),
  expiresAt: isoTimestamp,
});

/** The account asked to move to a new email; notifications emails a confirmation link to the NEW address. */
export const UserEmailChangeRequested = defineEvent({
  type: 'user.email_change_requested',
  version: 1,
  topic: TOPICS.user,
  schema: userEmailChangeRequestedSchema,
});

export type UserEmailChangeRequestedPayload = z.output<typeof userEmailChangeRequestedSchema>;

export const userEmailChangedSchema = z.object({
  userId: uuid,
  name: z.string().min(1),
  /** The account's email from now on, lower-cased (confirmed through the emailed link). */
  email: z.email(),
  /** The email it replaces, lower-cased (for a security notice to the old address). */
  previousEmail: z.email(),
  changedAt: isoTimestamp,
});

/** The account's email changed (the new address was confirmed). Read models of contacts update theirs. */
export const UserEmailChanged = defineEvent({
  type: 'user.email_changed',
  version: 1,
  topic: TOPICS.user,
  schema: userEmailChangedSchema,
});

export type UserEmailChangedPayload = z.output<typeof userEmailChangedSchema>;

export const userDeletedSchema = z.object({
  userId: uuid,
  deletedAt: isoTimestamp,
});

/**
 * The account no longer exists: its row, sessions and address book are gone
 * from users. Carries no personal data on purpose. Consumers forget what they
 * hold about the user (contacts, preferences) and detach what they must keep
 * (orders stay for accounting, no longer linked to a person). A later
 * registration with the same email is a new account with a new id.
 */
export const UserDeleted = defineEvent({
  type: 'user.deleted',
  version: 1,
  topic: TOPICS.user,
  schema: userDeletedSchema,
});

export type UserDeletedPayload = z.output<typeof userDeletedSchema>;
