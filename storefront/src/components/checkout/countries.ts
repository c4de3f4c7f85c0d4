/** Countries we ship to (ISO 3166-1 alpha-2), for the address form's country select. */
export const COUNTRIES: readonly { code: string; name: string }[] = [
  { code: 'AT', name: 'Austria' },
  { code: 'AU', name: 'Australia' },
  { code: 'BE', name: 'Belgium' },
  { code: 'CA', name: 'Canada' },
  { code: 'CH', name: 'Switzerland' },
  { code: 'CZ', name: 'Czechia' },
  { code: 'DE', name: 'Germany' },
  { code: 'DK', name: 'Denmark' },
  { code: 'ES', name: 'Spain' },
  { code: 'FI', name: 'Finland' },
  { code: 'FR', name: 'France' },
  { code: 'GB', name: 'United Kingdom' },
  { code: 'IE', name: 'Ireland' },
  { code: 'IT', name: 'Italy' },
  { code: 'JP', name: 'Japan' },
  { code: 'NL', name: 'Netherlands' },
  { code: 'NO', name: 'Norway' },
  { code: 'NZ', name: 'New Zealand' },
  { code: 'PL', name: 'Poland' },
  { code: 'PT', name: 'Portugal' },
  { code: 'SE', name: 'Sweden' },
  { code: 'US', name: 'United States' },
];

export function countryName(code: string): string {
  return COUNTRIES.find((country) => country.code === code)?.name ?? code;
}

const POSTAL_CODES: Record<string, RegExp> = {
  US: /^\d{5}(-\d{4})?$/,
  CA: /^[A-Za-z]\d[A-Za-z] ?\d[A-Za-z]\d$/,
  GB: /^[A-Za-z]{1,2}\d[A-Za-z\d]? ?\d[A-Za-z]{2}$/,
  DE: /^\d{5}$/,
  FR: /^\d{5}$/,
  ES: /^\d{5}$/,
  IT: /^\d{5}$/,
  FI: /^\d{5}$/,
  SE: /^\d{3} ?\d{2}$/,
  NL: /^\d{4} ?[A-Za-z]{2}$/,
  AT: /^\d{4}$/,
  BE: /^\d{4}$/,
  CH: /^\d{4}$/,
  DK: /^\d{4}$/,
  NO: /^\d{4}$/,
  AU: /^\d{4}$/,
  NZ: /^\d{4}$/,
  PT: /^\d{4}-\d{3}$/,
  PL: /^\d{2}-\d{3}$/,
  CZ: /^\d{3} ?\d{2}$/,
  JP: /^\d{3}-?\d{4}$/,
};

/** Whether `postalCode` looks right for the country (IE has optional Eircodes: anything short goes). */
export function isValidPostalCode(countryCode: string, postalCode: string): boolean {
  const pattern = POSTAL_CODES[countryCode];
  const value = postalCode.trim();
  if (pattern) return pattern.test(value);
  return /^[A-Za-z0-9][A-Za-z0-9 -]{0,9}$/.test(value);
}

export const POSTAL_CODE_EXAMPLES: Record<string, string> = {
  US: '12345',
  CA: 'K1A 0B1',
  GB: 'SW1A 1AA',
  DE: '10115',
  NL: '1012 AB',
  FR: '75001',
};
