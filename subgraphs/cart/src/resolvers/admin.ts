/**
 * Admin fields: discount codes, their uses and the audit log. Thin: arguments
 * in, service call, result out. Who may call them is in permissions.ts (ADMIN);
 * the services check again.
 */
import type { CartContext } from '../context.js';
import type { DiscountCodeUse } from '../data/discount-codes.js';
import type { DiscountCodeRow } from '../data/loaders.js';
import * as audit from '../service/audit.service.js';
import * as admin from '../service/discount-admin.service.js';

type Input<T> = { input: T };
type Page = { first?: number | null; after?: string | null };

export const AdminQuery = {
  discountCodes: (_: unknown, args: Page & { filter?: { search?: string | null; active?: boolean | null } | null }, ctx: CartContext) =>
    admin.discountCodes(ctx, args),
  discountCode: (_: unknown, args: { id: string }, ctx: CartContext) => admin.discountCode(ctx, args.id),
  cartAuditLog: (_: unknown, args: audit.AuditLogArgs, ctx: CartContext) => audit.cartAuditLog(ctx, args),
};

export const AdminMutation = {
  createDiscountCode: (_: unknown, args: Input<admin.CreateDiscountCodeInput>, ctx: CartContext) => admin.createDiscountCode(ctx, args.input),
  updateDiscountCode: (_: unknown, args: Input<admin.UpdateDiscountCodeInput>, ctx: CartContext) => admin.updateDiscountCode(ctx, args.input),
  deactivateDiscountCode: (_: unknown, args: Input<admin.DeactivateDiscountCodeInput>, ctx: CartContext) =>
    admin.deactivateDiscountCode(ctx, args.input),
};

export const DiscountCodeResolvers = {
  endsAt: (row: DiscountCodeRow) => row.expiresAt,
  amounts: (row: DiscountCodeRow) => row.amounts.map((amount) => ({ amountMinor: amount.amountMinor, currency: amount.currency })),
  uses: (row: DiscountCodeRow, args: Page, ctx: CartContext) => admin.usesOf(ctx, row, args),
};

export const DiscountCodeUseResolvers = {
  customer: (use: DiscountCodeUse) => (use.userId ? { __typename: 'User', id: use.userId } : null),
  order: (use: DiscountCodeUse) => ({ __typename: 'Order', id: use.orderId }),
};

export const AuditEntryResolvers = audit.AuditEntryResolvers;
export const AuditEntryConnectionResolvers = audit.AuditEntryConnectionResolvers;
