/**
 * Architecture rules, checked on the source tree:
 * - a subgraph imports nothing from another subgraph;
 * - only subgraph <domain> imports the Prisma client generated for <domain>;
 * - shared packages and the router import no subgraph at all.
 */
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { dirname, join, relative, resolve, sep } from 'node:path';
import { describe, expect, it } from 'vitest';
import { DOMAINS, repoRoot } from '@commerce/config';

const root = repoRoot();
const SKIP = new Set(['node_modules', 'generated', '.cache', 'dist', '.git', '.turbo']);

function sourceFiles(dir: string): string[] {
  let entries: string[];
  try {
    entries = readdirSync(dir);
  } catch {
    return [];
  }
  return entries.flatMap((name) => {
    if (SKIP.has(name)) return [];
    const path = join(dir, name);
    if (statSync(path).isDirectory()) return sourceFiles(path);
    return /\.(ts|tsx|mts|js|mjs)$/.test(name) ? [path] : [];
  });
}

const IMPORT = /(?:import|export)[^'"`]*?from\s*['"]([^'"]+)['"]|import\(\s*['"]([^'"]+)['"]\s*\)/g;

function importsOf(file: string): string[] {
  const text = readFileSync(file, 'utf8');
  return [...text.matchAll(IMPORT)].map((m) => m[1] ?? m[2] ?? '').filter(Boolean);
}

/** Which subgraph a specifier points into, if any. */
function subgraphOf(file: string, specifier: string): string | undefined {
  const workspace = /^@commerce\/([a-z-]+)/.exec(specifier)?.[1];
  if (workspace && (DOMAINS as readonly string[]).includes(workspace)) return workspace;
  if (!specifier.startsWith('.')) return undefined;
  const target = relative(root, resolve(dirname(file), specifier)).split(sep);
  return target[0] === 'subgraphs' ? target[1] : undefined;
}

const owner = (file: string): string[] => relative(root, file).split(sep);

describe('repository boundaries', () => {
  const files = ['subgraphs', 'packages', 'router', 'scripts', 'e2e', 'prisma'].flatMap((d) => sourceFiles(join(root, d)));

  it('finds the source tree', () => {
    expect(files.length).toBeGreaterThan(10);
  });

  it('a subgraph imports nothing from another subgraph, and shared code imports no subgraph', () => {
    const violations: string[] = [];
    for (const file of files) {
      const [area, name] = owner(file);
      for (const specifier of importsOf(file)) {
        const target = subgraphOf(file, specifier);
        if (!target) continue;
        if (area === 'subgraphs' && target !== name) violations.push(`${relative(root, file)} imports ${specifier}`);
        if (area === 'packages' || area === 'router') violations.push(`${relative(root, file)} imports ${specifier}`);
      }
    }
    expect(violations).toEqual([]);
  });

  it("only a domain's own subgraph imports its generated Prisma client", () => {
    const violations: string[] = [];
    for (const file of files) {
      const [area, name] = owner(file);
      for (const specifier of importsOf(file)) {
        if (!specifier.includes('generated/prisma')) continue;
        const target = relative(root, resolve(dirname(file), specifier)).split(sep);
        const clientOwner = target[0] === 'subgraphs' ? target[1] : undefined;
        if (area !== 'subgraphs' || clientOwner !== name) violations.push(`${relative(root, file)} imports ${specifier}`);
      }
    }
    expect(violations).toEqual([]);
  });
});
