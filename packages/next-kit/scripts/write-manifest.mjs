#!/usr/bin/env node
/**
 * The operation manifest, written after `next build`: every document an app
 * (storefront, admin) can send, under a stable id (sha256 of the document, from
 * graphql-codegen's client preset: src/graphql/generated/persisted-documents.json).
 * Written to .next/operations.json (git-ignored, shipped with the build), for
 * the router's safelist of known operations in production.
 *
 *   { "algorithm": "sha256", "operations": [{ "id", "name", "type", "document" }] }
 *
 * Sorted by name, no timestamps: the same sources give the same file.
 *
 *   write-operation-manifest [app folder]   (default: the current folder, as `npm run -w <app>` sets it)
 */
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { resolve, sep } from 'node:path';

const root = `${resolve(process.argv[2] ?? '.')}${sep}`;
const source = `${root}src/graphql/generated/persisted-documents.json`;
const target = `${root}.next/operations.json`;

if (!existsSync(source)) {
  console.error(`write-manifest: ${source} is missing; run \`npm run codegen\` first`);
  process.exit(1);
}
/** @type {Record<string, string>} */
const documents = JSON.parse(readFileSync(source, 'utf8'));
const operations = Object.entries(documents).map(([id, document]) => {
  const expected = `sha256:${createHash('sha256').update(document).digest('hex')}`;
  if (id !== expected) throw new Error(`write-manifest: id ${id} is not the sha256 of its document (${expected})`);
  const match = /(?:^|\s)(query|mutation|subscription)\s+(\w+)/.exec(document);
  return { id, name: match?.[2] ?? null, type: match?.[1] ?? null, document };
});
operations.sort((a, b) => String(a.name).localeCompare(String(b.name)) || a.id.localeCompare(b.id));
mkdirSync(`${root}.next`, { recursive: true });
writeFileSync(target, `${JSON.stringify({ algorithm: 'sha256', operations }, null, 2)}\n`);
console.log(`operation manifest: ${operations.length} operations → .next/operations.json`);
