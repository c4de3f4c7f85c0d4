/**
 * `<input type="datetime-local">` values are read as UTC (the console says
 * so next to the input): "2026-12-24T18:00" → "2026-12-24T18:00:00.000Z".
 * null when empty, undefined when not a date.
 */
export function localInputToIso(value: string): string | null | undefined {
  const trimmed = value.trim();
  if (!trimmed) return null;
  if (!/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2})?$/.test(trimmed)) return undefined;
  const date = new Date(`${trimmed.length === 16 ? `${trimmed}:00` : trimmed}Z`);
  return Number.isNaN(date.getTime()) ? undefined : date.toISOString();
}

/** An ISO instant as a datetime-local value in UTC ("2026-12-24T18:00"). */
export function isoToLocalInput(iso: string | null | undefined): string | undefined {
  return iso ? iso.slice(0, 16) : undefined;
}
