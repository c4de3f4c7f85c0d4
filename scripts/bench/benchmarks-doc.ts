/**
 * docs/benchmarks.md: each benchmark owns the block between its markers
 * `<!-- bench:<name> -->` and `<!-- /bench:<name> -->`, replaced whole when
 * it runs again; everything outside the markers is left as it is.
 */
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

export const benchmarksDoc = fileURLToPath(new URL('../../docs/benchmarks.md', import.meta.url));

/** Replaces (or appends) the `name` block of docs/benchmarks.md with `section`. */
export function writeBenchmarkSection(name: string, section: string): void {
  const start = `<!-- bench:${name} -->`;
  const end = `<!-- /bench:${name} -->`;
  const block = `${start}\n${section.trim()}\n${end}`;
  const current = existsSync(benchmarksDoc)
    ? readFileSync(benchmarksDoc, 'utf8')
    : '# Benchmarks\n\nNumbers written by the benchmark scripts; each section is replaced when its script runs again.\n';
  const from = current.indexOf(start);
  const to = current.indexOf(end);
  const next = from !== -1 && to > from ? `${current.slice(0, from)}${block}${current.slice(to + end.length)}` : `${current.trimEnd()}\n\n${block}\n`;
  writeFileSync(benchmarksDoc, next);
}
