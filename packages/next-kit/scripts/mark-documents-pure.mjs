/**
 * Codegen hook: marks each generated document constant `/*#__PURE__*\/`, so
 * the bundler can drop the ones a client bundle does not import (graphql.ts
 * holds every operation of the app). Runs once per written file.
 */
import { readFileSync, writeFileSync } from 'node:fs';

for (const file of process.argv.slice(2)) {
  if (!file.endsWith('graphql.ts')) continue;
  const source = readFileSync(file, 'utf8');
  const marked = source.replaceAll(' = new TypedDocumentString(', ' = /*#__PURE__*/ new TypedDocumentString(');
  if (marked !== source) writeFileSync(file, marked);
}
