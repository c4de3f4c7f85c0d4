import { readFileSync } from 'node:fs';
import type { DocumentNode } from 'graphql';
import { gql } from 'graphql-tag';

/** Reads and parses a subgraph's schema.graphql, e.g. `loadSchema(new URL('../schema.graphql', import.meta.url))`. */
export function loadSchema(url: URL): DocumentNode {
  return gql(readFileSync(url, 'utf8'));
}
