import { badInput, unauthenticated } from '@commerce/errors';
import { z } from 'zod';
import type { NotificationsContext } from '../context.js';
import type { ChannelKind, NotificationType } from '../data/prisma.js';
import { ALL_CHANNELS, ALL_TYPES, MANDATORY_TYPES } from './routing.js';

/**
 * PreferencesService: which channels and notification types a user has
 * switched off. Stored as the switched-off sets, so no row (and anything
 * added later) means "on". Security messages (password resets) cannot be
 * switched off, by type or by channel. Only the user themself reads or
 * changes their preferences.
 */

export interface PreferencesView {
  channels: { channel: ChannelKind; enabled: boolean }[];
  types: { type: NotificationType; enabled: boolean; locked: boolean }[];
  updatedAt: Date | null;
}

function view(row: { disabledChannels: ChannelKind[]; disabledTypes: NotificationType[]; updatedAt: Date } | null): PreferencesView {
  const channels = new Set(row?.disabledChannels ?? []);
  const types = new Set(row?.disabledTypes ?? []);
  return {
    channels: ALL_CHANNELS.map((channel) => ({ channel, enabled: !channels.has(channel) })),
    types: ALL_TYPES.map((type) => ({ type, enabled: MANDATORY_TYPES.has(type) || !types.has(type), locked: MANDATORY_TYPES.has(type) })),
    updatedAt: row?.updatedAt ?? null,
  };
}

const signedIn = (ctx: NotificationsContext): string => {
  if (!ctx.identity) throw unauthenticated();
  return ctx.identity.userId;
};

export async function getPreferences(ctx: NotificationsContext): Promise<PreferencesView> {
  const userId = signedIn(ctx);
  return view(await ctx.prisma.notificationPreference.findUnique({ where: { userId } }));
}

const updateSchema = z.object({
  channels: z
    .array(z.object({ channel: z.enum(ALL_CHANNELS as [ChannelKind, ...ChannelKind[]]), enabled: z.boolean() }))
    .max(ALL_CHANNELS.length * 4)
    .nullish(),
  types: z
    .array(z.object({ type: z.enum(ALL_TYPES as [NotificationType, ...NotificationType[]]), enabled: z.boolean() }))
    .max(ALL_TYPES.length * 4)
    .nullish(),
});

/**
 * Applies the given switches (others stay as they are; for a repeated entry
 * the last wins) and returns the result. BAD_USER_INPUT for switching off a
 * mandatory type.
 */
export async function updatePreferences(ctx: NotificationsContext, rawInput: unknown): Promise<PreferencesView> {
  const userId = signedIn(ctx);
  const parsed = updateSchema.safeParse(rawInput);
  if (!parsed.success) throw badInput('The notification preferences are invalid.', parsed.error.issues[0]?.path.map(String).join('.'));
  const input = parsed.data;
  for (const entry of input.types ?? []) {
    if (MANDATORY_TYPES.has(entry.type) && !entry.enabled) {
      throw badInput(`${entry.type} notifications are always sent: they keep your account secure.`, 'types');
    }
  }

  const row = await ctx.prisma.$transaction(async (tx) => {
    // Create-if-missing, then lock the row: concurrent updates apply one after the other.
    // (Prisma's upsert is find-then-create here, which races; ON CONFLICT does not.)
    await tx.$executeRaw`
      INSERT INTO notification_preferences (user_id, disabled_channels, disabled_types, updated_at)
      VALUES (${userId}::uuid, '{}', '{}', now()) ON CONFLICT (user_id) DO NOTHING`;
    await tx.$queryRaw`SELECT 1 FROM notification_preferences WHERE user_id = ${userId}::uuid FOR UPDATE`;
    const current = await tx.notificationPreference.findUniqueOrThrow({ where: { userId } });
    const channels = new Set(current.disabledChannels);
    for (const { channel, enabled } of input.channels ?? []) {
      if (enabled) channels.delete(channel);
      else channels.add(channel);
    }
    const types = new Set(current.disabledTypes);
    for (const { type, enabled } of input.types ?? []) {
      if (enabled) types.delete(type);
      else types.add(type);
    }
    return tx.notificationPreference.update({
      where: { userId },
      data: {
        disabledChannels: ALL_CHANNELS.filter((channel) => channels.has(channel)),
        disabledTypes: ALL_TYPES.filter((type) => types.has(type)),
      },
    });
  });
  ctx.logger.info({ userId, disabledChannels: row.disabledChannels, disabledTypes: row.disabledTypes }, 'notification preferences updated');
  return view(row);
}
