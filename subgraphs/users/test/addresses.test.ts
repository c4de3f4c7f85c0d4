import { errorCode, uniqueEmail } from '@commerce/testing';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { expectNoInternals, register, startTestServer, truncateAll, type Session, type TestServer } from './helpers.js';

let server: TestServer;
let ada: Session;
let bob: Session;

beforeAll(async () => {
  server = await startTestServer();
  await truncateAll(server.db);
  bob = await register(server, { email: uniqueEmail('bob') });
});
beforeEach(async () => {
  // A fresh address book per test; Bob's stays around as "someone else".
  ada = await register(server, { email: uniqueEmail('ada') });
});
afterAll(async () => {
  await server?.stop();
});

interface AddressShape {
  id: string;
  fullName: string;
  line1: string;
  line2: string | null;
  city: string;
  region: string | null;
  postalCode: string;
  countryCode: string;
  phone: string | null;
  isDefault: boolean;
}

const ADDRESS = 'id fullName line1 line2 city region postalCode countryCode phone isDefault';
const CREATE = `mutation ($input: CreateAddressInput!) { createAddress(input: $input) { ${ADDRESS} } }`;
const UPDATE = `mutation ($input: UpdateAddressInput!) { updateAddress(input: $input) { ${ADDRESS} } }`;
const DELETE = `mutation ($id: ID!) { deleteAddress(input: { id: $id }) { deletedAddressId } }`;
const SET_DEFAULT = `mutation ($id: ID!) { setDefaultAddress(input: { addressId: $id }) { id defaultAddress { id isDefault } } }`;
const BOOK = `query ($first: Int, $after: String) {
  me {
    defaultAddress { id isDefault }
    addresses(first: $first, after: $after) {
      totalCount
      edges { cursor node { id fullName isDefault } }
      pageInfo { hasNextPage hasPreviousPage startCursor endCursor }
    }
  }
}`;

interface Book {
  me: {
    defaultAddress: { id: string; isDefault: boolean } | null;
    addresses: {
      totalCount: number;
      edges: { cursor: string; node: { id: string; fullName: string; isDefault: boolean } }[];
      pageInfo: { hasNextPage: boolean; hasPreviousPage: boolean; startCursor: string | null; endCursor: string | null };
    };
  };
}

const input = (overrides: Record<string, unknown> = {}) => ({
  fullName: 'Ada Lovelace',
  line1: '12 St James Square',
  city: 'London',
  postalCode: 'SW1Y 4JH',
  countryCode: 'gb',
  ...overrides,
});

async function create(session: Session, overrides: Record<string, unknown> = {}): Promise<AddressShape> {
  const data = await server.ok<{ createAddress: AddressShape }>(CREATE, {
    token: session.accessToken,
    variables: { input: input(overrides) },
  });
  return data.createAddress;
}

const book = (session: Session, variables: Record<string, unknown> = {}) =>
  server.ok<Book>(BOOK, { token: session.accessToken, variables });

describe('address book', () => {
  it('makes the first address the default and normalizes it', async () => {
    const first = await create(ada, { line2: '  ', region: ' ', phone: '+44 20 7946 0000' });
    expect(first).toMatchObject({ isDefault: true, countryCode: 'GB', line2: null, region: null, phone: '+44 20 7946 0000' });
    const second = await create(ada, { fullName: 'Second' });
    expect(second.isDefault).toBe(false);
    const { me } = await book(ada);
    expect(me.defaultAddress).toEqual({ id: first.id, isDefault: true });
    expect(me.addresses.totalCount).toBe(2);
  });

  it('moves the default with makeDefault and with setDefaultAddress', async () => {
    const first = await create(ada);
    const second = await create(ada, { makeDefault: true });
    expect(second.isDefault).toBe(true);
    expect((await book(ada)).me.defaultAddress?.id).toBe(second.id);

    const data = await server.ok<{ setDefaultAddress: { defaultAddress: { id: string; isDefault: boolean } } }>(SET_DEFAULT, {
      token: ada.accessToken,
      variables: { id: first.id },
    });
    expect(data.setDefaultAddress.defaultAddress).toEqual({ id: first.id, isDefault: true });
    const flags = (await book(ada)).me.addresses.edges.map((edge) => [edge.node.id, edge.node.isDefault]);
    expect(flags).toEqual([
      [second.id, false],
      [first.id, true],
    ]);
  });

  it('lists newest first with keyset pagination', async () => {
    const created: AddressShape[] = [];
    for (let i = 0; i < 5; i++) created.push(await create(ada, { fullName: `Address ${i}` }));
    const page1 = (await book(ada, { first: 2 })).me.addresses;
    expect(page1.totalCount).toBe(5);
    expect(page1.edges.map((edge) => edge.node.fullName)).toEqual(['Address 4', 'Address 3']);
    expect(page1.pageInfo).toMatchObject({ hasNextPage: true, hasPreviousPage: false });
    expect(page1.pageInfo.endCursor).toBe(page1.edges[1]?.cursor);

    const page2 = (await book(ada, { first: 2, after: page1.pageInfo.endCursor })).me.addresses;
    expect(page2.edges.map((edge) => edge.node.fullName)).toEqual(['Address 2', 'Address 1']);
    const page3 = (await book(ada, { first: 2, after: page2.pageInfo.endCursor })).me.addresses;
    expect(page3.edges.map((edge) => edge.node.fullName)).toEqual(['Address 0']);
    expect(page3.pageInfo.hasNextPage).toBe(false);
  });

  it('rejects garbage cursors and negative page sizes without a crash', async () => {
    const badCursor = await server.gql(BOOK, { token: ada.accessToken, variables: { after: 'garbage!' } });
    expect(errorCode(badCursor)).toBe('INVALID_CURSOR');
    const forged = Buffer.from(JSON.stringify(['not a date', 'x'])).toString('base64url');
    expect(errorCode(await server.gql(BOOK, { token: ada.accessToken, variables: { after: forged } }))).toBe('INVALID_CURSOR');
    const negative = await server.gql(BOOK, { token: ada.accessToken, variables: { first: -1 } });
    expect(errorCode(negative)).toBe('BAD_USER_INPUT');
    expectNoInternals(negative);
  });

  it('updates only the given fields; null clears optional ones', async () => {
    const address = await create(ada, { line2: 'Flat 1', phone: '+44 1234 5678' });
    const data = await server.ok<{ updateAddress: AddressShape }>(UPDATE, {
      token: ada.accessToken,
      variables: { input: { id: address.id, city: ' Cambridge ', countryCode: 'gb', line2: null } },
    });
    expect(data.updateAddress).toMatchObject({
      id: address.id,
      city: 'Cambridge',
      line2: null,
      phone: '+44 1234 5678',
      fullName: 'Ada Lovelace',
      isDefault: true,
    });
  });

  it.each([
    [{ countryCode: 'XX' }, 'countryCode'],
    [{ countryCode: 'GBR' }, 'countryCode'],
    [{ city: null }, 'city'],
    [{ postalCode: '!!' }, 'postalCode'],
    [{ phone: 'call me' }, 'phone'],
    [{ fullName: 'x'.repeat(101) }, 'fullName'],
  ])('refuses %j on update with the field name', async (change, field) => {
    const address = await create(ada);
    const response = await server.gql(UPDATE, { token: ada.accessToken, variables: { input: { id: address.id, ...change } } });
    expect(errorCode(response)).toBe('BAD_USER_INPUT');
    expect(response.errors?.[0]?.extensions?.field).toBe(field);
    expectNoInternals(response);
  });

  it('refuses bad input on create with the field name', async () => {
    const response = await server.gql(CREATE, { token: ada.accessToken, variables: { input: input({ countryCode: 'ZZ' }) } });
    expect(errorCode(response)).toBe('BAD_USER_INPUT');
    expect(response.errors?.[0]?.extensions?.field).toBe('countryCode');
  });

  it("treats another user's address as not found, and a malformed id as bad input", async () => {
    const bobs = await create(bob);
    for (const [query, variables] of [
      [UPDATE, { input: { id: bobs.id, city: 'Stolen' } }],
      [DELETE, { id: bobs.id }],
      [SET_DEFAULT, { id: bobs.id }],
    ] as const) {
      const response = await server.gql(query, { token: ada.accessToken, variables });
      expect(errorCode(response)).toBe('NOT_FOUND');
    }
    const malformed = await server.gql(DELETE, { token: ada.accessToken, variables: { id: 'nope' } });
    expect(errorCode(malformed)).toBe('BAD_USER_INPUT');
    expect(malformed.errors?.[0]?.extensions?.field).toBe('id');
    expect((await server.db.address.findUnique({ where: { id: bobs.id } }))?.city).toBe('London');
  });

  it('hands the default to the newest remaining address when it is deleted, then to none', async () => {
    const oldest = await create(ada, { fullName: 'Oldest' });
    const middle = await create(ada, { fullName: 'Middle' });
    const newest = await create(ada, { fullName: 'Newest' });
    await server.ok(SET_DEFAULT, { token: ada.accessToken, variables: { id: middle.id } });

    // Deleting a non-default address leaves the default alone.
    await server.ok(DELETE, { token: ada.accessToken, variables: { id: oldest.id } });
    expect((await book(ada)).me.defaultAddress?.id).toBe(middle.id);

    const deleted = await server.ok<{ deleteAddress: { deletedAddressId: string } }>(DELETE, {
      token: ada.accessToken,
      variables: { id: middle.id },
    });
    expect(deleted.deleteAddress.deletedAddressId).toBe(middle.id);
    expect((await book(ada)).me.defaultAddress?.id).toBe(newest.id);

    await server.ok(DELETE, { token: ada.accessToken, variables: { id: newest.id } });
    const { me } = await book(ada);
    expect(me.defaultAddress).toBeNull();
    expect(me.addresses.totalCount).toBe(0);

    const again = await create(ada, { fullName: 'Fresh start' });
    expect(again.isDefault).toBe(true);
  });

  it('keeps exactly one default under concurrent creates', async () => {
    const results = await Promise.all(Array.from({ length: 6 }, (_, i) => create(ada, { fullName: `Concurrent ${i}` })));
    expect(results.filter((address) => address.isDefault)).toHaveLength(1);
    const { me } = await book(ada);
    expect(me.defaultAddress?.id).toBe(results.find((address) => address.isDefault)?.id);
  });

  it('requires a signed-in caller for every address mutation', async () => {
    for (const [query, variables] of [
      [CREATE, { input: input() }],
      [UPDATE, { input: { id: '01929c5e-7d3a-7cc1-9c52-0a1b2c3d4e5f', city: 'x' } }],
      [DELETE, { id: '01929c5e-7d3a-7cc1-9c52-0a1b2c3d4e5f' }],
      [SET_DEFAULT, { id: '01929c5e-7d3a-7cc1-9c52-0a1b2c3d4e5f' }],
    ] as const) {
      expect(errorCode(await server.gql(query, { variables }))).toBe('UNAUTHENTICATED');
    }
  });
});
