'use server';
import { refresh } from 'next/cache';
import { graphql } from '@/graphql/generated';
import { requireAdmin } from '@/lib/auth';
import { formError, text } from '@/lib/form-errors';
import type { FormState } from '@/lib/form-state';
import { executeGraphQL } from '@/lib/graphql';

const AdjustStockMutation = graphql(`
  mutation AdminAdjustStock($input: AdjustStockInput!) {
    adjustStock(input: $input) {
      sku
      onHand
      reserved
      available
    }
  }
`);

const SetLowStockThresholdMutation = graphql(`
  mutation AdminSetLowStockThreshold($input: SetLowStockThresholdInput!) {
    setLowStockThreshold(input: $input) {
      sku
      lowStockThreshold
      lowStock
    }
  }
`);

const ID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
const INT = /^-?\d{1,7}$/;
const REASON_CODES = ['RECEIVED', 'COUNT_CORRECTION', 'DAMAGED', 'LOST', 'RETURNED', 'OTHER'] as const;

/**
 * Units added or removed (`mode` delta) or a stock count (`mode` set), in one
 * warehouse, with a reason for the ledger.
 */
export async function adjustStock(_previous: FormState, form: FormData): Promise<FormState> {
  const { token } = await requireAdmin();
  const variantId = text(form, 'variantId');
  const warehouseId = text(form, 'warehouseId');
  const mode = text(form, 'mode') === 'set' ? 'set' : 'delta';
  const quantity = text(form, 'quantity').trim();
  const reason = text(form, 'reason').trim();
  const reasonCodeText = text(form, 'reasonCode');
  const reasonCode = REASON_CODES.find((code) => code === reasonCodeText);
  const values = { warehouseId, mode, quantity, reason, reasonCode: reasonCodeText };
  const fieldErrors: Record<string, string> = {};
  if (!ID.test(variantId)) return { status: 'error', message: 'This form does not name a variant. Reload the page.' };
  if (!ID.test(warehouseId)) fieldErrors.warehouseId = 'Choose a warehouse.';
  if (!INT.test(quantity)) fieldErrors.quantity = mode === 'set' ? 'Enter the units counted (0 or more).' : 'Enter a whole number of units, e.g. 5 or -2.';
  else if (mode === 'set' && Number(quantity) < 0) fieldErrors.quantity = 'A count is 0 or more.';
  else if (mode === 'delta' && Number(quantity) === 0) fieldErrors.quantity = 'Enter a change other than 0.';
  if (!reason) fieldErrors.reason = 'Say why, for the stock ledger.';
  else if (reason.length > 500) fieldErrors.reason = 'At most 500 characters.';
  if (Object.keys(fieldErrors).length) return { status: 'error', fieldErrors, values };
  const amount = Number(quantity);
  let after: { onHand: number; available: number };
  try {
    const data = await executeGraphQL(AdjustStockMutation, {
      variables: { input: { variantId, warehouseId, reason, reasonCode, ...(mode === 'set' ? { setOnHand: amount } : { delta: amount }) } },
      accessToken: token,
    });
    after = data.adjustStock;
  } catch (error) {
    return formError(error, {
      values,
      fieldNames: ['warehouseId', 'reason'],
      aliases: { delta: 'quantity', setOnHand: 'quantity', reason: 'reason', warehouseId: 'warehouseId' },
      codeFields: { INSUFFICIENT_STOCK: 'quantity', NOT_FOUND: 'warehouseId' },
    });
  }
  refresh();
  return { status: 'success', message: `Saved. In all warehouses: ${after.onHand} on hand, ${after.available} available.` };
}

export async function setLowStockThreshold(_previous: FormState, form: FormData): Promise<FormState> {
  const { token } = await requireAdmin();
  const variantId = text(form, 'variantId');
  const threshold = text(form, 'threshold').trim();
  const values = { threshold };
  if (!ID.test(variantId)) return { status: 'error', message: 'This form does not name a variant. Reload the page.' };
  if (!/^\d{1,6}$/.test(threshold)) return { status: 'error', fieldErrors: { threshold: 'Enter 0 or more units.' }, values };
  try {
    await executeGraphQL(SetLowStockThresholdMutation, {
      variables: { input: { variantId, threshold: Number(threshold) } },
      accessToken: token,
    });
  } catch (error) {
    return formError(error, { values, fieldNames: ['threshold'] });
  }
  refresh();
  return { status: 'success', message: `Low-stock threshold set to ${threshold}.` };
}
