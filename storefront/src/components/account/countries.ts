/** Countries offered in address forms (ISO 3166-1 alpha-2; the users subgraph accepts every code). */
export const COUNTRY_CODES = [
  'US', 'CA', 'GB', 'IE', 'DE', 'FR', 'ES', 'IT', 'NL', 'BE', 'LU', 'AT', 'CH', 'PT', 'DK', 'SE', 'NO', 'FI', 'IS',
  'PL', 'CZ', 'SK', 'HU', 'SI', 'HR', 'RO', 'BG', 'GR', 'EE', 'LV', 'LT', 'MT', 'CY', 'AU', 'NZ', 'JP', 'KR', 'SG',
  'MX', 'BR', 'AR', 'CL', 'IN', 'IL', 'ZA',
] as const;

const names = new Intl.DisplayNames(['en'], { type: 'region' });

/** Sorted by their English names, for a select. */
export const COUNTRIES: { code: string; name: string }[] = COUNTRY_CODES.map((code) => ({ code, name: names.of(code) ?? code })).sort(
  (a, b) => a.name.localeCompare(b.name, 'en'),
);

export function countryName(code: string): string {
  return names.of(code) ?? code;
}
