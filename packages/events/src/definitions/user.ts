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
