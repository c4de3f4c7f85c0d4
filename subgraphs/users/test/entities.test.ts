import { randomUUID } from 'node:crypto';
import { createLogger } from '@commerce/observability';
import { errorCode, uniqueEmail } from '@commerce/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { systemContext } from '../src/context.js';
import { ensureAdmin } from '../src/service/auth.service.js';
import { register, startTestServer, STRONG_PASSWORD, truncateAll, type Session, type TestServer } from './helpers.js';

let server: TestServer;
let ada: Session;
let bob: Session;
let admin: Session;

const ENTITIES = `query ($representations: [_Any!]!) {
  _entities(representations: $representations) { ... on User { __FIELDS__ } }
}`;
const entities = (fields: string) => ENTITIES.replace('__FIELDS__', fields);
const ref = (id: string) => ({ __typename: 'User', id });

beforeAll(async () => {
  server = await startTestServer();
  await truncateAll(server.db);
  ada = await register(server, { email: uniqueEmail('ada'), name: 'Ada' });
  bob = await register(server, { email: uniqueEmail('bob'), name: 'Bob' });
  const adminEmail = uniqueEmail('admin');
  await ensureAdmin(systemContext(server.db, createLogger({ service: 'test', level: 'silent' })), {
    email: adminEmail,
    password: STRONG_PASSWORD,
  });
  const signedIn = await server.ok<{ login: Session }>(
    `mutation ($input: LoginInput!) { login(input: $input) { accessToken refreshToken user { id email name role } } }`,
    { variables: { input: { email: adminEmail, password: STRONG_PASSWORD } } },
  );
  admin = signedIn.login;
  await server.ok(
    `mutation { createAddress(input: { fullName: "Ada", line1: "1 Road", city: "London", postalCode: "N1 1AA", countryCode: "GB" }) { id } }`,
    { token: ada.accessToken },
  );
});
afterAll(async () => {
  await server?.stop();
});

describe('User entity: public fields', () => {
  it('resolves id, name and createdAt for anyone', async () => {
    const response = await server.gql<{ _entities: { id: string; name: string; createdAt: string }[] }>(
      entities('id name createdAt'),
      { variables: { representations: [ref(ada.user.id), ref(bob.user.id)] } },
    );
    expect(response.errors).toBeUndefined();
    expect(response.data?._entities.map((user) => user.name)).toEqual(['Ada', 'Bob']);
    expect(response.data?._entities[0]?.createdAt).toMatch(/^\d{4}-\d{2}-\d{2}T.*Z$/);
  });

  it('resolves unknown and malformed ids to null without failing the batch', async () => {
    const response = await server.gql<{ _entities: ({ id: string } | null)[] }>(entities('id name'), {
      variables: { representations: [ref(randomUUID()), ref('not-a-uuid'), ref(ada.user.id)] },
    });
    expect(response.errors).toBeUndefined();
    expect(response.data?._entities).toEqual([null, null, { id: ada.user.id, name: 'Ada' }]);
  });
});

describe('User entity: private fields', () => {
  it.each(['email', 'role', 'addresses { totalCount }', 'defaultAddress { id }'])(
    "refuses another user's %s (FORBIDDEN) and an anonymous caller's (UNAUTHENTICATED)",
    async (field) => {
      const asBob = await server.gql<{ _entities: unknown[] }>(entities(`id ${field}`), {
        token: bob.accessToken,
        variables: { representations: [ref(ada.user.id)] },
      });
      expect(errorCode(asBob)).toBe('FORBIDDEN');
      expect(asBob.errors?.[0]?.path).toEqual(['_entities', 0, field.split(' ')[0]]);
      // The data never leaks: email is non-null, so the entity itself becomes null.
      expect(JSON.stringify(asBob.data)).not.toContain(ada.user.email);
      expect(JSON.stringify(asBob.data)).not.toContain('London');

      const anonymous = await server.gql(entities(`id ${field}`), { variables: { representations: [ref(ada.user.id)] } });
      expect(errorCode(anonymous)).toBe('UNAUTHENTICATED');
    },
  );

  it('shows them to the owner', async () => {
    const response = await server.gql<{ _entities: { email: string; addresses: { totalCount: number } }[] }>(
      entities('email role addresses { totalCount } defaultAddress { city }'),
      { token: ada.accessToken, variables: { representations: [ref(ada.user.id)] } },
    );
    expect(response.errors).toBeUndefined();
    expect(response.data?._entities[0]).toEqual({
      email: ada.user.email,
      role: 'CUSTOMER',
      addresses: { totalCount: 1 },
      defaultAddress: { city: 'London' },
    });
  });

  it('shows them to an administrator', async () => {
    const response = await server.gql<{ _entities: { email: string }[] }>(entities('email addresses { totalCount }'), {
      token: admin.accessToken,
      variables: { representations: [ref(ada.user.id), ref(bob.user.id)] },
    });
    expect(response.errors).toBeUndefined();
    expect(response.data?._entities).toEqual([
      { email: ada.user.email, addresses: { totalCount: 1 } },
      { email: bob.user.email, addresses: { totalCount: 0 } },
    ]);
  });

  it('guards each entity separately in a mixed batch', async () => {
    const response = await server.gql<{ _entities: ({ email: string } | null)[] }>(entities('email'), {
      token: bob.accessToken,
      variables: { representations: [ref(bob.user.id), ref(ada.user.id)] },
    });
    expect(response.data?._entities).toEqual([{ email: bob.user.email }, null]);
    expect(response.errors?.map((error) => [error.extensions?.code, error.path])).toEqual([['FORBIDDEN', ['_entities', 1, 'email']]]);
  });
});

describe('User entity: batching', () => {
  it('loads N references with one users query', async () => {
    const ids = [ada.user.id, bob.user.id, admin.user.id, randomUUID(), 'garbage'];
    server.queries.length = 0;
    const response = await server.gql<{ _entities: ({ name: string } | null)[] }>(entities('id name'), {
      variables: { representations: ids.map(ref) },
    });
    expect(response.errors).toBeUndefined();
    expect(response.data?._entities.filter(Boolean)).toHaveLength(3);
    const userQueries = server.queries.filter((sql) => /FROM "public"\."users"/.test(sql));
    expect(userQueries).toHaveLength(1);
    expect(userQueries[0]).toMatch(/"id" IN \(\$1,\$2,\$3,\$4\)/);
  });
});
