/**
 * The operation manifest script both apps run after `next build`, on a
 * temporary app folder: sorted by name with each document's type, and a
 * document whose id is not its sha256 stops it.
 */
import { execFileSync, spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';

const script = fileURLToPath(new URL('../scripts/write-manifest.mjs', import.meta.url));
const work = mkdtempSync(join(tmpdir(), 'next-kit-manifest-'));
afterAll(() => rmSync(work, { recursive: true, force: true }));

const sha256 = (text: string): string => `sha256:${createHash('sha256').update(text).digest('hex')}`;

function appWith(documents: Record<string, string>): string {
  const app = mkdtempSync(join(work, 'app-'));
  mkdirSync(join(app, 'src', 'graphql', 'generated'), { recursive: true });
  writeFileSync(join(app, 'src', 'graphql', 'generated', 'persisted-documents.json'), JSON.stringify(documents));
  return app;
}

describe('write-manifest.mjs', () => {
  it('writes .next/operations.json sorted by operation name, for the app folder it is given', () => {
    const search = 'query Search($q: String!) { search(q: $q) { id } }';
    const addToCart = 'mutation AddToCart { addToCart { id } }';
    const app = appWith({ [sha256(search)]: search, [sha256(addToCart)]: addToCart });
    const output = execFileSync(process.execPath, [script, app], { encoding: 'utf8' });
    expect(output).toBe('operation manifest: 2 operations → .next/operations.json\n');
    expect(JSON.parse(readFileSync(join(app, '.next', 'operations.json'), 'utf8'))).toEqual({
      algorithm: 'sha256',
      operations: [
        { id: sha256(addToCart), name: 'AddToCart', type: 'mutation', document: addToCart },
        { id: sha256(search), name: 'Search', type: 'query', document: search },
      ],
    });
  });

  it('refuses a document whose id is not its sha256, and an app with no codegen output', () => {
    const tampered = spawnSync(process.execPath, [script, appWith({ [sha256('query A { a }')]: 'query B { b }' })], { encoding: 'utf8' });
    expect(tampered.status).not.toBe(0);
    expect(tampered.stderr).toContain('is not the sha256 of its document');
    const empty = spawnSync(process.execPath, [script, mkdtempSync(join(work, 'empty-'))], { encoding: 'utf8' });
    expect(empty.status).toBe(1);
    expect(empty.stderr).toContain('run `npm run codegen` first');
  });
});
