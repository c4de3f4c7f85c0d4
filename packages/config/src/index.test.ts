import { describe, expect, it } from 'vitest';
import { databaseName, databaseUrl, DEFAULT_SUBGRAPH_PORTS, DOMAINS } from './index.js';

describe('config', () => {
  it('gives each domain its own database and a separate test database', () => {
    expect(databaseName('users', 'development')).toBe('ecommerce_users');
    expect(databaseName('users', 'test')).toBe('ecommerce_users_test');
    expect(databaseUrl('catalog', 'test')).toMatch(/\/ecommerce_catalog_test$/);
  });
  it('gives every domain a distinct port', () => {
    const ports = DOMAINS.map((d) => DEFAULT_SUBGRAPH_PORTS[d]);
    expect(new Set(ports).size).toBe(DOMAINS.length);
  });
});
