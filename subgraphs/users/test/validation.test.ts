import { describe, expect, it } from 'vitest';
import {
  createAddressInputSchema,
  parseInput,
  registerInputSchema,
  updateAddressInputSchema,
} from '../src/service/validation.js';

const failure = (fn: () => unknown) => {
  try {
    fn();
  } catch (error) {
    return { message: (error as Error).message, extensions: (error as { extensions?: unknown }).extensions };
  }
  throw new Error('expected a validation error');
};

const address = { fullName: 'Ada Lovelace', line1: '1 Main St', city: 'Berlin', postalCode: '10115', countryCode: 'de' };

describe('input validation', () => {
  it('normalizes emails and names', () => {
    expect(parseInput(registerInputSchema, { email: '  Ada@Example.COM ', password: ' x ', name: ' Ada ' })).toEqual({
      email: 'ada@example.com',
      password: ' x ',
      name: 'Ada',
    });
  });

  it('reports the offending field as BAD_USER_INPUT', () => {
    expect(failure(() => parseInput(registerInputSchema, { email: 'not-an-email', password: 'x', name: 'A' }))).toMatchObject({
      extensions: { code: 'BAD_USER_INPUT', field: 'email' },
    });
    expect(failure(() => parseInput(registerInputSchema, { email: 'a@b.co', password: 'x', name: '\u0000' }))).toMatchObject({
      extensions: { code: 'BAD_USER_INPUT', field: 'name' },
    });
  });

  it('upper-cases and checks ISO 3166-1 alpha-2 country codes', () => {
    expect(parseInput(createAddressInputSchema, address).countryCode).toBe('DE');
    for (const countryCode of ['XX', 'EU', 'DEU', '']) {
      expect(failure(() => parseInput(createAddressInputSchema, { ...address, countryCode }))).toMatchObject({
        extensions: { code: 'BAD_USER_INPUT', field: 'countryCode' },
      });
    }
  });

  it('turns blank optional fields into null and defaults makeDefault to false', () => {
    expect(parseInput(createAddressInputSchema, { ...address, line2: '  ', phone: null })).toMatchObject({
      line2: null,
      phone: null,
      makeDefault: false,
    });
  });

  it('on update, tells "leave" (absent) from "clear" (null) and refuses to clear required fields', () => {
    const id = '01929c5e-7d3a-7cc1-9c52-0a1b2c3d4e5f';
    const parsed = parseInput(updateAddressInputSchema, { id, line2: null });
    expect(parsed.line2).toBeNull();
    expect(parsed.city).toBeUndefined();
    expect(failure(() => parseInput(updateAddressInputSchema, { id, city: null }))).toMatchObject({
      extensions: { code: 'BAD_USER_INPUT', field: 'city' },
    });
    expect(failure(() => parseInput(updateAddressInputSchema, { id: 'nope' }))).toMatchObject({
      extensions: { code: 'BAD_USER_INPUT', field: 'id' },
    });
  });
});
