import { execFile } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import {
  acceptBaseline,
  checkSchema,
  composeSupergraph,
  formatCheckReport,
  formatCompositionErrors,
  readAcknowledgements,
  schemaFiles,
  unifiedDiff,
  writeComposed,
} from './lib.ts';
import { formatOperationProblems } from './operations.ts';

const SHOP = `extend schema @link(url: "https://specs.apollo.dev/federation/v2.7", import: ["@key"])
type Query {
  product(id: ID!): Product
  products(first: Int = 20): [Product!]!
}
type Product @key(fields: "id") {
  id: ID!
  name: String!
  seller: User!
}
type User @key(fields: "id", resolvable: false) {
  id: ID!
}
`;

const ACCOUNTS = `extend schema @link(url: "https://specs.apollo.dev/federation/v2.7", import: ["@key"])
type Query {
  me: User
}
type User @key(fields: "id") {
  id: ID!
  name: String!
}
`;

const CONFIG = `federation_version: =2.7.0
subgraphs:
  shop:
    routing_url: http://localhost:5001/graphql
    schema:
      file: ./shop.graphql
  accounts:
    routing_url: http://localhost:5002/graphql
    schema:
      file: ./accounts.graphql
`;

let dir: string;
let options: { configPath: string; schemaDir: string };

beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'schema-check-'));
  writeFileSync(join(dir, 'supergraph.yaml'), CONFIG);
  writeFileSync(join(dir, 'shop.graphql'), SHOP);
  writeFileSync(join(dir, 'accounts.graphql'), ACCOUNTS);
  options = { configPath: join(dir, 'supergraph.yaml'), schemaDir: join(dir, 'schema') };
});
afterEach(() => rmSync(dir, { recursive: true, force: true }));

/** Compose, write and baseline: the state of a repository right after a release. */
function released(): void {
  const result = composeSupergraph(options.configPath);
  if (!result.ok) throw new Error(formatCompositionErrors(result.errors));
  writeComposed(options.schemaDir, result);
  const baseline = acceptBaseline(options);
  if (!baseline.ok) throw new Error(baseline.message);
}

/** What a developer does after editing a subgraph schema. */
function recompose(): void {
  const result = composeSupergraph(options.configPath);
  if (!result.ok) throw new Error(formatCompositionErrors(result.errors));
  writeComposed(options.schemaDir, result);
}

describe('compose', () => {
  it('writes the supergraph and a sorted API schema without federation machinery', () => {
    const result = composeSupergraph(options.configPath);
    expect(result.ok).toBe(true);
    if (!result.ok) return;
    expect(result.supergraphSdl).toContain('join__Graph');
    expect(result.supergraphSdl).toContain('url: "http://localhost:5001/graphql"');
    expect(result.apiSdl).not.toMatch(/join__|@link|_entities|_service/);
    // Sorted by name, so reordering subgraphs in the YAML does not move lines.
    expect(result.apiSdl.indexOf('type Product')).toBeLessThan(result.apiSdl.indexOf('type Query'));
    expect(result.apiSdl.indexOf('type Query')).toBeLessThan(result.apiSdl.indexOf('type User'));
  });

  it('reports composition errors with code, message and subgraph', () => {
    writeFileSync(join(dir, 'accounts.graphql'), ACCOUNTS.replace('name: String!', 'name: Int!').replace('me: User', 'me: User\n  product(id: ID!): Int'));
    const result = composeSupergraph(options.configPath);
    expect(result.ok).toBe(false);
    if (result.ok) return;
    const codes = result.errors.map((e) => e.code);
    expect(codes).toContain('FIELD_TYPE_MISMATCH');
    const mismatch = result.errors.find((e) => e.code === 'FIELD_TYPE_MISMATCH');
    expect(mismatch?.subgraphs).toEqual(expect.arrayContaining(['accounts', 'shop']));
    const text = formatCompositionErrors(result.errors);
    expect(text).toMatch(/Composition failed with \d+ errors/);
    expect(text).toContain('[FIELD_TYPE_MISMATCH] (subgraphs: ');
    expect(text).toMatch(/accounts\.graphql:\d+:\d+/);
  });

  it('reports a syntax error with the file and position', () => {
    writeFileSync(join(dir, 'shop.graphql'), 'type Query {\n  product(id: ID!): \n}\n');
    const result = composeSupergraph(options.configPath);
    expect(result.ok).toBe(false);
    if (result.ok) return;
    expect(result.errors[0]).toMatchObject({ code: 'GRAPHQL_PARSE_FAILED', subgraphs: ['shop'] });
    expect(result.errors[0]?.locations[0]).toMatch(/shop\.graphql:3:1$/);
  });
});

describe('schema check', () => {
  it('passes on a freshly composed and baselined schema', async () => {
    released();
    const report = await checkSchema(options);
    expect(report.ok).toBe(true);
    expect(report.drift).toEqual([]);
    expect(report.changes?.breaking).toEqual([]);
    expect(formatCheckReport(report)).toContain('✓ schema check passed.');
  });

  it('fails on composition errors', async () => {
    released();
    writeFileSync(join(dir, 'shop.graphql'), SHOP.replace('type Product @key', 'type Product @key(fields: "nope") @key'));
    const report = await checkSchema(options);
    expect(report.ok).toBe(false);
    expect(report.compositionErrors.length).toBeGreaterThan(0);
    expect(formatCheckReport(report)).toContain('do not compose');
  });

  it('detects drift between committed files and the subgraph schemas', async () => {
    released();
    writeFileSync(join(dir, 'shop.graphql'), SHOP.replace('  name: String!', '  name: String!\n  brand: String'));
    const report = await checkSchema(options);
    expect(report.ok).toBe(false);
    expect(report.drift.map((d) => d.file)).toEqual([expect.stringMatching(/supergraph\.graphql$/), expect.stringMatching(/api\.graphql$/)]);
    const apiDrift = report.drift[1]?.diff ?? '';
    expect(apiDrift).toMatch(/^\+ {2}brand: String$/m);
    expect(apiDrift).toMatch(/^@@ -\d+,\d+ \+\d+,\d+ @@$/m);
    // An added field is not breaking; only the drift fails.
    expect(report.changes?.breaking).toEqual([]);
    expect(formatCheckReport(report)).toContain('run `npm run schema:compose`');
  });

  it('detects a removed field as breaking, with its path and reason', async () => {
    released();
    writeFileSync(join(dir, 'shop.graphql'), SHOP.replace('  products(first: Int = 20): [Product!]!\n', ''));
    recompose();
    const report = await checkSchema(options);
    expect(report.ok).toBe(false);
    expect(report.drift).toEqual([]);
    expect(report.changes?.breaking).toEqual([
      expect.objectContaining({ path: 'Query.products', type: 'FIELD_REMOVED', level: 'BREAKING', reason: expect.stringMatching(/breaking/i) }),
    ]);
    const text = formatCheckReport(report);
    expect(text).toContain("Query.products [FIELD_REMOVED] Field 'products' was removed from object type 'Query'");
    expect(text).toContain('why it breaks:');
    expect(text).toContain('schema/breaking-changes.yaml');
  });

  it('passes when the breaking change is acknowledged, and flags unused acknowledgements', async () => {
    released();
    writeFileSync(join(dir, 'shop.graphql'), SHOP.replace('  products(first: Int = 20): [Product!]!\n', ''));
    recompose();
    writeFileSync(
      schemaFiles(options.schemaDir).acknowledgements,
      `acknowledged:
  - path: Query.products
    type: FIELD_REMOVED
    reason: replaced by search; storefront moved in release 12
    date: 2026-01-31
  - path: Query.typo
    type: FIELD_REMOVED
    reason: mistyped
    date: 2026-01-31
`,
    );
    const report = await checkSchema(options);
    expect(report.ok).toBe(true);
    expect(report.changes?.acknowledged.map((a) => a.change.path)).toEqual(['Query.products']);
    expect(report.changes?.unused.map((a) => a.path)).toEqual(['Query.typo']);
    const text = formatCheckReport(report);
    expect(text).toContain('✓ acknowledged breaking change: Query.products');
    expect(text).toContain('⚠ schema/breaking-changes.yaml entry matches no change: Query.typo');
  });

  it('does not accept an acknowledgement for a different change type on the same path', async () => {
    released();
    writeFileSync(join(dir, 'shop.graphql'), SHOP.replace('  products(first: Int = 20): [Product!]!\n', ''));
    recompose();
    writeFileSync(
      schemaFiles(options.schemaDir).acknowledgements,
      'acknowledged:\n  - { path: Query.products, type: FIELD_TYPE_CHANGED, reason: x, date: "2026-01-31" }\n',
    );
    expect((await checkSchema(options)).ok).toBe(false);
  });

  it('warns about dangerous changes without failing', async () => {
    released();
    writeFileSync(join(dir, 'shop.graphql'), SHOP.replace('products(first: Int = 20)', 'products(first: Int = 10)'));
    recompose();
    const report = await checkSchema(options);
    expect(report.ok).toBe(true);
    expect(report.changes?.dangerous[0]).toMatchObject({ path: 'Query.products.first', type: 'FIELD_ARGUMENT_DEFAULT_CHANGED' });
    expect(formatCheckReport(report)).toContain('⚠ dangerous change: Query.products.first');
  });

  it('moving the baseline accepts the break and clears the acknowledgements', async () => {
    released();
    writeFileSync(join(dir, 'shop.graphql'), SHOP.replace('  products(first: Int = 20): [Product!]!\n', ''));
    recompose();
    writeFileSync(schemaFiles(options.schemaDir).acknowledgements, 'acknowledged:\n  - { path: Query.products, type: FIELD_REMOVED, reason: x, date: "2026-01-31" }\n');
    expect(acceptBaseline(options)).toEqual({ ok: true, dropped: 1 });
    expect(readAcknowledgements(schemaFiles(options.schemaDir).acknowledgements)).toEqual([]);
    const report = await checkSchema(options);
    expect(report.ok).toBe(true);
    expect(report.changes?.acknowledged).toEqual([]);
  });

  it('refuses to baseline a stale api.graphql', () => {
    released();
    writeFileSync(join(dir, 'shop.graphql'), SHOP.replace('  name: String!', '  name: String!\n  brand: String'));
    const result = acceptBaseline(options);
    expect(result).toMatchObject({ ok: false, message: expect.stringContaining('schema:compose') });
  });

  it('rejects an acknowledgement without a reason', () => {
    const file = join(dir, 'acks.yaml');
    writeFileSync(file, 'acknowledged:\n  - { path: Query.products, type: FIELD_REMOVED, date: "2026-01-31" }\n');
    expect(() => readAcknowledgements(file)).toThrow(/needs a reason/);
  });
});

describe('client operations', () => {
  /** A client app folder with one source file holding `graphql()` documents, as codegen's client preset has them. */
  function app(files: Record<string, string>): string {
    const root = join(dir, 'shop-app');
    for (const [path, code] of Object.entries(files)) {
      mkdirSync(join(root, 'src', path, '..'), { recursive: true });
      writeFileSync(join(root, 'src', path), code);
    }
    return root;
  }
  const page = (document: string): string =>
    `import { graphql } from '@/graphql/generated';\n\nexport const ProductPageQuery = graphql(\`\n${document}\n\`);\n`;

  it('passes valid operations, with fragments from other files', async () => {
    released();
    const apps = [
      app({
        'app/p/[slug]/page.tsx': page('query ProductPage($id: ID!) { product(id: $id) { ...ProductCard seller { id name } } }'),
        'components/product-card.ts': page('fragment ProductCard on Product { id name }'),
        'graphql/generated/gql.ts': 'export const broken = graphql(`query Nope { nope }`);',
      }),
    ];
    const report = await checkSchema({ ...options, apps });
    expect(report.operations?.problems).toEqual([]);
    expect(report.operations?.documents).toBe(2);
    expect(report.ok).toBe(true);
    expect(formatCheckReport(report)).toContain('✓ 2 client operations and fragments are valid');
  });

  it('fails naming the file, the operation and the field', async () => {
    released();
    const apps = [app({ 'app/p/[slug]/page.tsx': page('query ProductPage($id: ID!) {\n  product(id: $id) {\n    id\n    foo\n  }\n}') })];
    const report = await checkSchema({ ...options, apps });
    expect(report.ok).toBe(false);
    expect(report.operations?.problems).toEqual([
      expect.objectContaining({ file: expect.stringMatching(/shop-app\/src\/app\/p\/\[slug\]\/page\.tsx$/), operation: 'query ProductPage', line: 7 }),
    ]);
    const text = formatCheckReport(report);
    expect(text).toMatch(/shop-app\/src\/app\/p\/\[slug\]\/page\.tsx: query ProductPage: Cannot query field "foo" on type "Product"\. \(line 7\)/);
    expect(text).toContain('✗ schema check failed.');
  });

  it('fails when a subgraph change removes a field an operation uses', async () => {
    released();
    writeFileSync(join(dir, 'accounts.graphql'), ACCOUNTS.replace('  name: String!\n', '  name: String!\n  email: String\n'));
    recompose();
    const apps = [app({ 'app/account.tsx': page('query Account { me { id email } }') })];
    expect((await checkSchema({ ...options, apps })).ok).toBe(true);
    writeFileSync(join(dir, 'accounts.graphql'), ACCOUNTS);
    recompose();
    const report = await checkSchema({ ...options, apps });
    expect(formatOperationProblems(report.operations?.problems ?? [])).toMatch(/app\/account\.tsx: query Account: Cannot query field "email" on type "User"/);
  });

  it('reports unknown fragments, anonymous and duplicate operation names, and syntax errors', async () => {
    released();
    const apps = [
      app({
        'a.ts': page('query Same { products { ...Missing } }'),
        'b.ts': page('query Same { products { id } }'),
        'c.ts': page('{ products { id } }'),
        'd.ts': page('query Broken { products { id }'),
      }),
    ];
    const messages = (await checkSchema({ ...options, apps })).operations?.problems.map((p) => `${p.operation}: ${p.message}`);
    expect(messages).toEqual(
      expect.arrayContaining([
        'query Same: Unknown fragment "Missing".',
        expect.stringMatching(/^query Same: operation name also used in .*a\.ts$/),
        expect.stringMatching(/^query \(anonymous\): every operation needs a name/),
        expect.stringMatching(/^document: Syntax Error/),
      ]),
    );
  });
});

describe('unifiedDiff', () => {
  it('shows changed lines with context and hunk headers', () => {
    const from = ['a', 'b', 'c', 'd', 'e', 'f', 'g', 'h'].join('\n');
    const to = ['a', 'b', 'c', 'D', 'e', 'f', 'g', 'h', 'i'].join('\n');
    expect(unifiedDiff(from, to, { fromLabel: 'old', toLabel: 'new', context: 1 })).toBe(
      ['--- old', '+++ new', '@@ -3,3 +3,3 @@', ' c', '+D', '-d', ' e', '@@ -8,1 +8,2 @@', ' h', '+i'].join('\n'),
    );
  });

  it('is empty for equal input', () => {
    expect(unifiedDiff('x\ny', 'x\ny', { fromLabel: 'a', toLabel: 'b' })).toBe('');
  });
});

describe('CLI', () => {
  const run = promisify(execFile);
  const script = (name: string): string => fileURLToPath(new URL(`./${name}.ts`, import.meta.url));
  const tsx = fileURLToPath(new URL('../../node_modules/.bin/tsx', import.meta.url));

  it('check exits 1 with a readable report on a breaking change, 0 once acknowledged', async () => {
    released();
    writeFileSync(join(dir, 'shop.graphql'), SHOP.replace('  products(first: Int = 20): [Product!]!\n', ''));
    const compose = await run(tsx, [script('compose'), '--config', options.configPath, '--schema-dir', options.schemaDir]);
    expect(compose.stdout).toContain('✓ composed');
    const failed = await run(tsx, [script('check'), '--config', options.configPath, '--schema-dir', options.schemaDir]).then(
      () => undefined,
      (error: { code: number; stderr: string }) => error,
    );
    expect(failed?.code).toBe(1);
    expect(failed?.stderr).toContain('Query.products [FIELD_REMOVED]');
    writeFileSync(schemaFiles(options.schemaDir).acknowledgements, 'acknowledged:\n  - { path: Query.products, type: FIELD_REMOVED, reason: x, date: "2026-01-31" }\n');
    const passed = await run(tsx, [script('check'), '--config', options.configPath, '--schema-dir', options.schemaDir]);
    expect(passed.stdout).toContain('✓ schema check passed.');
    expect(readFileSync(schemaFiles(options.schemaDir).api, 'utf8')).not.toContain('products');
  }, 30_000);
});
