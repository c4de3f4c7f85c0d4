/**
 * deploy/Dockerfile, read as Docker reads it (instructions, line
 * continuations, comments): a pinned base, a non-root user for what runs,
 * and node itself as the process that gets SIGTERM. No Docker engine is
 * needed; the build itself is not exercised here.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { repoRoot } from '@commerce/config';
import { describe, expect, it } from 'vitest';

interface Instruction {
  keyword: string;
  args: string;
}

/** Dockerfile instructions: comments and blank lines dropped, `\` continuations joined. */
function parseDockerfile(text: string): Instruction[] {
  const instructions: Instruction[] = [];
  let pending = '';
  for (const raw of text.split('\n')) {
    const line = raw.trim();
    if (line.startsWith('#') || (line === '' && pending === '')) continue;
    if (line.endsWith('\\')) {
      pending += `${line.slice(0, -1)} `;
      continue;
    }
    const full = (pending + line).trim();
    pending = '';
    if (!full) continue;
    const keyword = full.split(/\s+/, 1)[0] ?? '';
    instructions.push({ keyword: keyword.toUpperCase(), args: full.slice(keyword.length).trim() });
  }
  return instructions;
}

/** An image reference pinned to a digest, or to an exact version tag (1.2.3, optionally -variant). */
function isPinned(image: string): boolean {
  if (/@sha256:[0-9a-f]{64}$/.test(image)) return true;
  const tag = /^[^@]+:([^/:@]+)$/.exec(image)?.[1];
  return tag !== undefined && /^v?\d+\.\d+\.\d+([-.][\w.-]+)?$/.test(tag);
}

const dockerfile = parseDockerfile(readFileSync(join(repoRoot(), 'deploy', 'Dockerfile'), 'utf8'));

describe('deploy/Dockerfile', () => {
  it('the pin check itself: moving tags are refused, exact versions and digests pass', () => {
    for (const moving of ['node', 'node:20', 'node:20-bookworm-slim', 'node:latest', 'node:lts-slim', 'node:20.20']) expect(isPinned(moving), moving).toBe(false);
    for (const pinned of ['node:20.20.2-bookworm-slim', 'node:20.20.2', `node@sha256:${'a'.repeat(64)}`, `node:20.20.2-bookworm-slim@sha256:${'b'.repeat(64)}`]) {
      expect(isPinned(pinned), pinned).toBe(true);
    }
  });

  it('every FROM is pinned to an exact version or a digest, with the Node major the tests run on', () => {
    const froms = dockerfile.filter((i) => i.keyword === 'FROM').map((i) => i.args.replace(/^--platform=\S+\s+/, '').split(/\s+/)[0] ?? '');
    expect(froms.length).toBeGreaterThan(0);
    for (const image of froms) expect(isPinned(image), `FROM ${image} is not pinned`).toBe(true);
    const major = process.versions.node.split('.')[0];
    expect(froms.at(-1)).toMatch(new RegExp(`^node:${major}\\.`));
  });

  it('what runs, runs as a non-root user', () => {
    const lastStage = dockerfile.slice(dockerfile.findLastIndex((i) => i.keyword === 'FROM'));
    const users = lastStage.filter((i) => i.keyword === 'USER').map((i) => i.args.split(':')[0]);
    expect(users.length, 'the final stage sets USER').toBeGreaterThan(0);
    expect(['root', '0']).not.toContain(users.at(-1));
    // USER comes before what runs: no RUN or CMD after it may need root, and CMD is the last word.
    const userAt = lastStage.findLastIndex((i) => i.keyword === 'USER');
    const cmdAt = lastStage.findLastIndex((i) => i.keyword === 'CMD' || i.keyword === 'ENTRYPOINT');
    expect(cmdAt).toBeGreaterThan(userAt);
  });

  it('the service is exec-ed as node, so SIGTERM reaches it (no npx, npm or tsx CLI wrapper)', () => {
    const cmd = dockerfile.findLast((i) => i.keyword === 'CMD');
    const argv = JSON.parse(cmd?.args ?? '[]') as string[];
    const script = argv.at(-1) ?? '';
    expect(argv.slice(0, 2)).toEqual(['sh', '-c']);
    const execs = script.match(/exec \S+/g) ?? [];
    expect(execs.length).toBeGreaterThan(0);
    for (const e of execs) expect(e).toBe('exec node');
    expect(script).not.toMatch(/\bnpx\b|\bnpm\b/);
  });
});
