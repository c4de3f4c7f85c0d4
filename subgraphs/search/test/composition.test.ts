/**
 * The search schema composes with the rest of the supergraph: its Product and
 * Category stubs join the catalog's entities, and CurrencyCode, Money and
 * PageInfo match the catalog's definitions. Composed offline, as
 * `npm run schema:compose` does (supergraph.yaml lists the subgraphs).
 */
import { readFileSync } from 'node:fs';
import { composeServices } from '@apollo/composition';
import { parse } from 'graphql';
import { describe, expect, it } from 'vitest';

const schemaOf = (subgraph: string) => parse(readFileSync(new URL(`../../${subgraph}/schema.graphql`, import.meta.url), 'utf8'));

describe('composition', () => {
  it('composes with users and catalog; search results expose catalog fields', () => {
    const result = composeServices(
      ['users', 'catalog', 'search'].map((name) => ({ name, url: `http://localhost/${name}`, typeDefs: schemaOf(name) })),
    );
    expect(result.errors?.map((error) => error.message) ?? []).toEqual([]);
    const sdl = result.supergraphSdl ?? '';
    expect(sdl).toMatch(/\n {2}search\(\n {4}query: String\n {4}filters: SearchFilters\n[\s\S]*?\): SearchResult! @join__field\(graph: SEARCH\)/);
    expect(sdl).toMatch(/\bsuggest\(prefix: String!, first: Int = 8\): \[Suggestion!\]! @join__field\(graph: SEARCH\)/);
    // Product as seen through the supergraph: the catalog's fields, reachable from SearchEdge.node.
    expect(sdl).toMatch(/type Product\n {2}@join__type\(graph: CATALOG, key: "id"\)\n {2}@join__type\(graph: SEARCH, key: "id", resolvable: false\)/);
    expect(sdl).toMatch(/type Product[^{]*\{[^}]*priceRange\(currency: CurrencyCode!\): PriceRange/);
  });
});
