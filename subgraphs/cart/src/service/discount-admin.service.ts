/**
 * Discount codes for admins: list, create, schedule and limit, deactivate,
 * and the uses. Every change is one transaction that also writes its
 * audit_entries row (audit.service.ts). Codes two admins edit carry a
 * `version`; an update naming another version fails with CONFLICT
 * (`extensions.currentVersion`) and changes nothing.
 *
 * Rules (BAD_USER_INPUT with `extensions.field`):
 * - code: letters, digits, `-` and `_`, 3–32 characters, stored upper case;
 *   a code that exists (whatever its case) is DISCOUNT_CODE_TAKEN;
 * - kind PERCENT: `percentOff` 1–100 and no amounts; kind FIXED: one amount
 *   (> 0, integer minor units) per currency at most, at least one, no percentOff;
 * - `endsAt` after `startsAt`; `usageLimit`, `perCustomerLimit` ≥ 1 (null = none).
 * The kind and the amounts do not change after creation (a new code is clearer
 * for shoppers and keeps the uses' meaning).
 */
import { AppError, badInput, ErrorCode, forbidden, notFound, unauthenticated } from '@commerce/errors';
import { clampFirst, decodeCursor, encodeCursor, toConnection, type Connection } from '@commerce/subgraph-kit';
import type { CartContext } from '../context.js';
import {
  findDiscountCodeById,
  listDiscountCodes,
  listUses,
  lockDiscountCodeById,
  type DiscountCodeListFilter,
  type DiscountCodeUse,
} from '../data/discount-codes.js';
import { isUuid } from '../data/ids.js';
import type { DiscountCodeRow } from '../data/loaders.js';
import { Prisma } from '../data/prisma.js';
import { recordAudit } from './audit.service.js';
import { normalizeCode } from './discount.service.js';

const CURRENCIES = new Set(['USD', 'EUR']);
const CODE_PATTERN = /^[A-Z0-9_-]{3,32}$/;
/** Far above any real order total; keeps amounts GraphQL Ints. */
const MAX_AMOUNT_MINOR = 100_000_000;
const MAX_LIMIT = 1_000_000_000;

export type Connected<T> = Connection<T> & { totalCount: number };

export interface DiscountAmountInput {
  currency: string;
  amountMinor: number;
}

export interface CreateDiscountCodeInput {
  code: string;
  kind: 'PERCENT' | 'FIXED';
  percentOff?: number | null;
  amounts?: DiscountAmountInput[] | null;
  startsAt?: Date | null;
  endsAt?: Date | null;
  usageLimit?: number | null;
  perCustomerLimit?: number | null;
  active?: boolean | null;
}

export interface UpdateDiscountCodeInput {
  id: string;
  expectedVersion?: number | null;
  startsAt?: Date | null;
  endsAt?: Date | null;
  usageLimit?: number | null;
  perCustomerLimit?: number | null;
  active?: boolean | null;
}

export interface DeactivateDiscountCodeInput {
  id: string;
  expectedVersion?: number | null;
}

/** The admin's id; the permissions already require ADMIN, this keeps the service safe on its own. */
export function requireAdmin(ctx: CartContext): string {
  if (!ctx.identity) throw unauthenticated();
  if (!ctx.identity.roles.includes('ADMIN')) throw forbidden();
  return ctx.identity.userId;
}

function validLimit(value: number | null | undefined, field: string): number | null {
  if (value === null || value === undefined) return null;
  if (!Number.isInteger(value) || value < 1 || value > MAX_LIMIT) throw badInput(`${field} must be a whole number of at least 1 (or null for no limit).`, field);
  return value;
}

function validSchedule(startsAt: Date | null, endsAt: Date | null): void {
  if (startsAt && Number.isNaN(startsAt.getTime())) throw badInput('startsAt is not a valid date-time.', 'startsAt');
  if (endsAt && Number.isNaN(endsAt.getTime())) throw badInput('endsAt is not a valid date-time.', 'endsAt');
  if (startsAt && endsAt && endsAt <= startsAt) throw badInput('endsAt must be after startsAt.', 'endsAt');
}

function validAmounts(kind: 'PERCENT' | 'FIXED', percentOff: number | null | undefined, amounts: DiscountAmountInput[] | null | undefined) {
  if (kind === 'PERCENT') {
    if (percentOff === null || percentOff === undefined || !Number.isInteger(percentOff) || percentOff < 1 || percentOff > 100) {
      throw badInput('A PERCENT code takes percentOff, a whole number from 1 to 100.', 'percentOff');
    }
    if (amounts && amounts.length > 0) throw badInput('A PERCENT code has no amounts.', 'amounts');
    return { percentOff, amounts: [] as DiscountAmountInput[] };
  }
  if (percentOff !== null && percentOff !== undefined) throw badInput('A FIXED code has no percentOff.', 'percentOff');
  if (!amounts || amounts.length === 0) throw badInput('A FIXED code needs an amount in at least one currency.', 'amounts');
  const seen = new Set<string>();
  for (const amount of amounts) {
    if (!CURRENCIES.has(amount.currency)) throw badInput(`Unsupported currency ${amount.currency}.`, 'amounts');
    if (seen.has(amount.currency)) throw badInput(`Only one amount per currency (${amount.currency} twice).`, 'amounts');
    seen.add(amount.currency);
    if (!Number.isInteger(amount.amountMinor) || amount.amountMinor < 1 || amount.amountMinor > MAX_AMOUNT_MINOR) {
      throw badInput('Amounts are whole minor units (e.g. 500 for 5.00), at least 1.', 'amounts');
    }
  }
  return { percentOff: null, amounts };
}

/** What the audit log keeps of a code: its admin-editable fields. */
type JsonFields = Record<string, Prisma.InputJsonValue | null>;

function auditView(row: DiscountCodeRow): JsonFields {
  return {
    code: row.code,
    kind: row.kind,
    percentOff: row.percentOff,
    amounts: row.amounts.map((amount) => ({ currency: amount.currency, amountMinor: amount.amountMinor })),
    startsAt: row.startsAt?.toISOString() ?? null,
    endsAt: row.expiresAt?.toISOString() ?? null,
    usageLimit: row.usageLimit,
    perCustomerLimit: row.perCustomerLimit,
    active: row.active,
    version: row.version,
  };
}

/** Only the fields that differ, before and after. */
function diff(before: JsonFields, after: JsonFields): Prisma.InputJsonObject {
  const changed: Record<string, { before: Prisma.InputJsonValue | null; after: Prisma.InputJsonValue | null }> = {};
  for (const key of Object.keys(after)) {
    if (JSON.stringify(before[key]) !== JSON.stringify(after[key])) changed[key] = { before: before[key] ?? null, after: after[key] ?? null };
  }
  return changed;
}

const isUniqueViolation = (error: unknown): boolean => error instanceof Prisma.PrismaClientKnownRequestError && error.code === 'P2002';

export async function createDiscountCode(ctx: CartContext, input: CreateDiscountCodeInput): Promise<DiscountCodeRow> {
  const actorId = requireAdmin(ctx);
  const code = normalizeCode(input.code ?? '');
  if (!CODE_PATTERN.test(code)) throw badInput('A code is 3–32 letters, digits, "-" or "_".', 'code');
  if (input.kind !== 'PERCENT' && input.kind !== 'FIXED') throw badInput('kind is PERCENT or FIXED.', 'kind');
  const { percentOff, amounts } = validAmounts(input.kind, input.percentOff, input.amounts);
  const startsAt = input.startsAt ?? null;
  const endsAt = input.endsAt ?? null;
  validSchedule(startsAt, endsAt);
  const usageLimit = validLimit(input.usageLimit, 'usageLimit');
  const perCustomerLimit = validLimit(input.perCustomerLimit, 'perCustomerLimit');
  try {
    return await ctx.prisma.$transaction(async (tx) => {
      const row = await tx.discountCode.create({
        data: {
          code,
          kind: input.kind,
          percentOff,
          startsAt,
          expiresAt: endsAt,
          usageLimit,
          perCustomerLimit,
          active: input.active ?? true,
          amounts: { create: amounts.map((amount) => ({ currency: amount.currency as 'USD' | 'EUR', amountMinor: amount.amountMinor })) },
        },
        include: { amounts: true },
      });
      await recordAudit(tx, actorId, 'createDiscountCode', { targetType: 'DiscountCode', targetId: row.id, changes: { after: auditView(row) } });
      return row;
    });
  } catch (error) {
    if (isUniqueViolation(error)) {
      throw new AppError(ErrorCode.DISCOUNT_CODE_TAKEN, `A discount code ${code} already exists.`, { details: { field: 'code' } });
    }
    throw error;
  }
}

/**
 * Locks the code, checks the version, applies `change` (fields of the row) and
 * records the audit entry, in one transaction. NOT_FOUND, CONFLICT.
 */
async function changeCode(
  ctx: CartContext,
  action: string,
  id: string,
  expectedVersion: number | null | undefined,
  change: (row: DiscountCodeRow) => Prisma.DiscountCodeUpdateInput,
): Promise<DiscountCodeRow> {
  const actorId = requireAdmin(ctx);
  if (!isUuid(id)) throw notFound('DiscountCode', id);
  return ctx.prisma.$transaction(async (tx) => {
    const row = await lockDiscountCodeById(tx, id);
    if (!row) throw notFound('DiscountCode', id);
    if (expectedVersion !== null && expectedVersion !== undefined && expectedVersion !== row.version) {
      throw new AppError(ErrorCode.CONFLICT, `Someone else changed this discount code (now version ${row.version}); reload it and try again.`, {
        details: { currentVersion: row.version, field: 'expectedVersion' },
      });
    }
    const data = change(row);
    const updated = await tx.discountCode.update({
      where: { code: row.code },
      data: { ...data, version: { increment: 1 }, updatedAt: new Date() },
      include: { amounts: true },
    });
    await recordAudit(tx, actorId, action, { targetType: 'DiscountCode', targetId: row.id, changes: diff(auditView(row), auditView(updated)) });
    return updated;
  });
}

export function updateDiscountCode(ctx: CartContext, input: UpdateDiscountCodeInput): Promise<DiscountCodeRow> {
  const has = (key: keyof UpdateDiscountCodeInput): boolean => Object.hasOwn(input, key) && input[key] !== undefined;
  const usageLimit = has('usageLimit') ? validLimit(input.usageLimit, 'usageLimit') : undefined;
  const perCustomerLimit = has('perCustomerLimit') ? validLimit(input.perCustomerLimit, 'perCustomerLimit') : undefined;
  if (has('active') && input.active === null) throw badInput('active is true or false.', 'active');
  return changeCode(ctx, 'updateDiscountCode', input.id, input.expectedVersion, (row) => {
    const startsAt = has('startsAt') ? (input.startsAt ?? null) : row.startsAt;
    const endsAt = has('endsAt') ? (input.endsAt ?? null) : row.expiresAt;
    validSchedule(startsAt, endsAt);
    return {
      startsAt,
      expiresAt: endsAt,
      ...(usageLimit !== undefined ? { usageLimit } : {}),
      ...(perCustomerLimit !== undefined ? { perCustomerLimit } : {}),
      ...(has('active') ? { active: input.active === true } : {}),
    };
  });
}

export function deactivateDiscountCode(ctx: CartContext, input: DeactivateDiscountCodeInput): Promise<DiscountCodeRow> {
  return changeCode(ctx, 'deactivateDiscountCode', input.id, input.expectedVersion, () => ({ active: false }));
}

const codeCursorOf = (row: DiscountCodeRow): string => encodeCursor([row.createdAt.toISOString(), row.code]);

function afterCode(after: string): { createdAt: Date; code: string } {
  const [createdAt, code] = decodeCursor(after);
  const date = typeof createdAt === 'string' ? new Date(createdAt) : null;
  if (!date || Number.isNaN(date.getTime()) || typeof code !== 'string') throw badInput('The cursor is not valid.', 'after');
  return { createdAt: date, code };
}

export async function discountCodes(
  ctx: CartContext,
  args: { first?: number | null; after?: string | null; filter?: DiscountCodeListFilter | null },
): Promise<Connected<DiscountCodeRow>> {
  requireAdmin(ctx);
  const first = clampFirst(args.first);
  const { rows, totalCount } = await listDiscountCodes(ctx.prisma, args.filter ?? {}, first === 0 ? 0 : first + 1, args.after ? afterCode(args.after) : null);
  return { ...toConnection(rows, first, codeCursorOf), totalCount };
}

export async function discountCode(ctx: CartContext, id: string): Promise<DiscountCodeRow | null> {
  requireAdmin(ctx);
  return isUuid(id) ? findDiscountCodeById(ctx.prisma, id) : null;
}

const useCursorOf = (row: DiscountCodeUse): string => encodeCursor([row.usedAt.toISOString(), row.orderId]);

export async function usesOf(
  ctx: CartContext,
  code: DiscountCodeRow,
  args: { first?: number | null; after?: string | null },
): Promise<Connected<DiscountCodeUse>> {
  requireAdmin(ctx);
  const first = clampFirst(args.first);
  let after: { usedAt: Date; orderId: string } | null = null;
  if (args.after) {
    const [usedAt, orderId] = decodeCursor(args.after);
    const date = typeof usedAt === 'string' ? new Date(usedAt) : null;
    if (!date || Number.isNaN(date.getTime()) || typeof orderId !== 'string' || !isUuid(orderId)) throw badInput('The cursor is not valid.', 'after');
    after = { usedAt: date, orderId };
  }
  const take = first === 0 ? 0 : first + 1;
  // The first page is batched across every code in the response (a list of codes with their latest uses).
  const { rows, totalCount } = after ? await listUses(ctx.prisma, code.code, take, after) : await ctx.loaders.discountUsesFirstPage.load(`${take}|${code.code}`);
  return { ...toConnection(rows, first, useCursorOf), totalCount };
}
