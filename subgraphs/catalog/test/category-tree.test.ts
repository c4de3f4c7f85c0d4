/**
 * `categories(scope: ALL)`: every category at any depth, in tree order, paged
 * with a cursor that names a place in that order, at one SQL statement a page.
 */
import { errorCode } from '@commerce/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createCategory, expectNoInternals, startTestServer, tokens, truncateAll, type TestServer } from './helpers.js';

let server: TestServer;
let admin: string;
const id: Record<string, string> = {};

interface TreePage {
  categories: {
    totalCount?: number;
    edges: { cursor: string; node: { slug: string } }[];
    pageInfo: { hasNextPage: boolean; endCursor: string | null };
  };
}

const ALL_PAGE = `query ($first: Int!, $after: String) {
  categories(first: $first, after: $after, scope: ALL) { edges { cursor node { slug } } pageInfo { hasNextPage endCursor } }
}`;

/**
 *   top level, after the move of `clearance` to the front:
 *   clearance
 *   apparel ─┬─ men ── shirts ── formal ── french-cuff   (five levels)
 *            └─ women
 *   tools ── saws
 */
beforeAll(async () => {
  server = await startTestServer();
  await truncateAll(server.db);
  admin = (await tokens()).admin;
  const add = async (slug: string, parent?: string): Promise<void> => {
    id[slug] = (await createCategory(server, admin, { name: slug, slug, ...(parent ? { parentId: id[parent] } : {}) })).id;
  };
  await add('apparel');
  await add('tools');
  await add('clearance');
  await add('men', 'apparel');
  await add('women', 'apparel');
  await add('shirts', 'men');
  await add('formal', 'shirts');
  await add('french-cuff', 'formal');
  await add('saws', 'tools');
  // Display order is not creation order: clearance moves to the front of the top level.
  await server.ok(`mutation ($id: ID!) { updateCategory(input: { id: $id, position: 0 }) { position } }`, { token: admin, variables: { id: id.clearance } });
});

afterAll(async () => {
  // Leave the shared test database empty for the next file (e2e seeds it).
  if (server) await truncateAll(server.db);
  await server?.stop();
});

type Nodes = { edges: { node: { id: string; slug: string } }[] };

/** The tree as a client walks it with the top level and `children`, depth first. */
async function walkedOrder(): Promise<string[]> {
  const slugs: string[] = [];
  const visit = async (nodes: Nodes): Promise<void> => {
    for (const { node } of nodes.edges) {
      slugs.push(node.slug);
      const data = await server.ok<{ category: { children: Nodes } }>(
        `query ($id: ID!) { category(id: $id) { children(first: 100) { edges { node { id slug } } } } }`,
        { variables: { id: node.id } },
      );
      await visit(data.category.children);
    }
  };
  await visit((await server.ok<{ categories: Nodes }>(`{ categories(first: 100) { edges { node { id slug } } } }`)).categories);
  return slugs;
}

async function allPages(first: number): Promise<{ slugs: string[]; pages: number; statements: number[] }> {
  const slugs: string[] = [];
  const statements: number[] = [];
  let after: string | null = null;
  for (let pages = 1; ; pages++) {
    server.queries.length = 0;
    const page: TreePage = await server.ok<TreePage>(ALL_PAGE, { variables: { first, after } });
    statements.push(server.queries.length);
    slugs.push(...page.categories.edges.map((edge) => edge.node.slug));
    if (!page.categories.pageInfo.hasNextPage) return { slugs, pages, statements };
    after = page.categories.pageInfo.endCursor;
    expect(after).toBe(page.categories.edges.at(-1)?.cursor);
  }
}

describe('categories(scope: ALL)', () => {
  it('lists every category at any depth in tree order: each right after its parent, siblings in display order', async () => {
    const data = await server.ok<TreePage>(`{ categories(first: 100, scope: ALL) { totalCount edges { cursor node { slug } } pageInfo { hasNextPage endCursor } } }`);
    const slugs = data.categories.edges.map((edge) => edge.node.slug);
    expect(slugs).toEqual(await walkedOrder());
    expect(slugs).toEqual(['clearance', 'apparel', 'men', 'shirts', 'formal', 'french-cuff', 'women', 'tools', 'saws']);
    expect(data.categories.totalCount).toBe(Object.keys(id).length);
    expect(data.categories.pageInfo.hasNextPage).toBe(false);
  });

  it('pages through the whole tree with the same result, one SQL statement per page whatever its size', async () => {
    const whole = await allPages(100);
    const byTwo = await allPages(2);
    const byOne = await allPages(1);
    expect(byTwo.slugs).toEqual(whole.slugs);
    expect(byOne.slugs).toEqual(whole.slugs);
    expect(byTwo.pages).toBe(Math.ceil(whole.slugs.length / 2));
    expect([...whole.statements, ...byTwo.statements, ...byOne.statements].every((count) => count === 1)).toBe(true);
  });

  it('keeps the default: without a scope, the top level only', async () => {
    const data = await server.ok<TreePage>(`{ categories(first: 100) { totalCount edges { cursor node { slug } } pageInfo { hasNextPage endCursor } } }`);
    expect(data.categories.edges.map((edge) => edge.node.slug)).toEqual(['clearance', 'apparel', 'tools']);
    expect(data.categories.totalCount).toBe(3);
  });

  it('goes on from its cursor while categories are added before and after it: nothing repeated, nothing skipped', async () => {
    const first = await server.ok<TreePage>(ALL_PAGE, { variables: { first: 4, after: null } });
    expect(first.categories.edges.map((edge) => edge.node.slug)).toEqual(['clearance', 'apparel', 'men', 'shirts']);
    // One before the cursor's place (under clearance), one after it (under men, after shirts' subtree).
    await createCategory(server, admin, { name: 'outlet', slug: 'outlet', parentId: id.clearance });
    await createCategory(server, admin, { name: 'knitwear', slug: 'knitwear', parentId: id.men });
    const rest = await server.ok<TreePage>(ALL_PAGE, { variables: { first: 100, after: first.categories.pageInfo.endCursor } });
    expect(rest.categories.edges.map((edge) => edge.node.slug)).toEqual(['formal', 'french-cuff', 'knitwear', 'women', 'tools', 'saws']);
  });

  it('refuses a cursor that is not a place in tree order with INVALID_CURSOR, never a database error', async () => {
    const topLevel = await server.ok<TreePage>(`{ categories(first: 1) { pageInfo { endCursor } } }`);
    for (const after of ['abc', 'not a cursor', topLevel.categories.pageInfo.endCursor, 'A'.repeat(2_000)]) {
      const result = await server.gql(ALL_PAGE, { variables: { first: 10, after } });
      expect(errorCode(result), String(after)).toBe('INVALID_CURSOR');
      expectNoInternals(result);
    }
  });
});
