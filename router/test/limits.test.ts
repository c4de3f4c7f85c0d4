import { buildSchema, parse, validate } from 'graphql';
import { describe, expect, it } from 'vitest';
import { complexityRule } from '../src/limits.ts';

const schema = buildSchema(`
  type Query { node: Node, nodes: [Node!]! }
  type Node { id: ID!, child: Node, children: [Node!]! }
`);
const rule = complexityRule({ maxDepth: 4, maxAliases: 2, maxFields: 20 });
const check = (query: string) => validate(schema, parse(query), [rule]).map((e) => e.extensions);

describe('complexityRule', () => {
  it('accepts an operation within every limit', () => {
    expect(check('{ node { child { child { id } } } a: nodes { id } }')).toEqual([]);
  });

  it('measures depth through fragments and inline fragments', () => {
    expect(check('{ node { ...F } } fragment F on Node { child { ... on Node { child { child { id } } } } }')).toEqual([
      { code: 'QUERY_TOO_COMPLEX', limit: 'depth', actual: 5, max: 4 },
    ]);
  });

  it('counts aliases, fragments expanded', () => {
    expect(check('{ node { ...F } nodes { ...F } } fragment F on Node { a: id b: id }')).toEqual([
      { code: 'QUERY_TOO_COMPLEX', limit: 'aliases', actual: 4, max: 2 },
    ]);
  });

  it('counts fields, fragments expanded', () => {
    const fields = Array.from({ length: 7 }, () => 'id').join(' ');
    expect(check(`{ node { ...F } nodes { ...F } n2: nodes { ...F } } fragment F on Node { ${fields} }`)).toEqual([
      { code: 'QUERY_TOO_COMPLEX', limit: 'fields', actual: 24, max: 20 },
    ]);
  });

  it('rejects a fragment bomb quickly (each fragment is measured once)', () => {
    // Each level doubles the expansion: 2^30 fields if expanded naively.
    const levels = 30;
    const fragments = Array.from({ length: levels }, (_, i) =>
      i === levels - 1 ? `fragment F${i} on Node { id }` : `fragment F${i} on Node { child { ...F${i + 1} } children { ...F${i + 1} } }`,
    ).join('\n');
    const started = performance.now();
    const errors = validate(schema, parse(`{ node { ...F0 } } ${fragments}`), [complexityRule({ maxDepth: 100, maxAliases: 10, maxFields: 1000 })]);
    expect(performance.now() - started).toBeLessThan(200);
    expect(errors[0]?.extensions).toMatchObject({ code: 'QUERY_TOO_COMPLEX', limit: 'fields' });
  });

  it('ignores introspection subtrees (governed by the introspection switch)', () => {
    expect(check('{ __schema { types { fields { type { ofType { ofType { ofType { name } } } } } } } }')).toEqual([]);
  });

  it('survives fragment cycles (reported by the standard rules)', () => {
    expect(check('{ node { ...A } } fragment A on Node { child { ...B } } fragment B on Node { child { ...A } }')).toEqual([]);
  });
});
