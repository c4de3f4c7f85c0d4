/**
 * Optimistic concurrency for what two admins may edit at once (products,
 * categories): each row carries a version, 1 on create and one more on every
 * change. A change that names the version it was made against
 * (`expectedVersion`) is refused with CONFLICT when the row has moved on, and
 * changes nothing; the error's `currentVersion` tells the client what to reload.
 * Checked after the row is locked, so two writers cannot both pass.
 */
import { AppError, ErrorCode } from '@commerce/errors';

export function checkVersion(what: string, current: number, expected: number | null | undefined): void {
  if (expected === null || expected === undefined || expected === current) return;
  throw new AppError(
    ErrorCode.CONFLICT,
    `This ${what} was changed by someone else since you opened it (it is now at version ${current}, you edited version ${expected}). Reload it and apply your change again.`,
    { details: { field: 'expectedVersion', currentVersion: current } },
  );
}
