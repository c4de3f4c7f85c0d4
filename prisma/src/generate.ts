/**
 * `generate`: the Prisma 7 client (`prisma-client` generator) of every domain
 * with a schema, into the output folder its schema names (git-ignored).
 *
 * Prisma 7's CLI tries to download a native schema engine before any command,
 * generate included, and fails offline; pointing PRISMA_SCHEMA_ENGINE_BINARY
 * at an existing file skips the download (generate never runs the engine).
 * /bin/false rather than /bin/true: were some command to run it, it fails
 * loudly instead of silently "succeeding".
 *
 * Generation is skipped when a hash of (schema, Prisma version) stored next to
 * the output matches, so running it before every test run costs nothing.
 */
import { spawn } from 'node:child_process';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join, resolve } from 'node:path';
import { repoRoot, type Domain } from '@commerce/config';
import { sha256Hex } from './migrations.ts';
import { domainsWithSchema, schemaPath } from './paths.ts';

const HASH_FILE = '.schema-hash';

/** The Prisma 7 CLI installed at the repository root (prisma/node_modules has Prisma 6). */
function prisma7(): { cli: string; version: string } {
  const packageJson = createRequire(join(repoRoot(), 'package.json')).resolve('prisma/package.json');
  const { version } = JSON.parse(readFileSync(packageJson, 'utf8')) as { version: string };
  if (!version.startsWith('7.')) throw new Error(`Expected Prisma 7 at the repository root, found prisma@${version} at ${packageJson}`);
  return { cli: join(dirname(packageJson), 'build', 'index.js'), version };
}

/** Absolute output folders of the schema's generators (relative paths resolve against the schema's folder). */
export function generatorOutputs(schemaFile: string): string[] {
  const schema = readFileSync(schemaFile, 'utf8');
  const outputs: string[] = [];
  for (const block of schema.matchAll(/generator\s+\w+\s*\{([^}]*)\}/g)) {
    const output = /^\s*output\s*=\s*"([^"]+)"/m.exec(block[1] ?? '')?.[1];
    if (output) outputs.push(resolve(dirname(schemaFile), output));
  }
  return outputs;
}

export interface GenerateResult {
  domain: Domain;
  outputs: string[];
  generated: boolean;
  durationMs: number;
}

function run(cli: string, args: readonly string[], cwd: string): Promise<{ code: number; output: string }> {
  const child = spawn(process.execPath, [cli, ...args], {
    cwd,
    stdio: ['ignore', 'pipe', 'pipe'],
    env: {
      ...process.env,
      PRISMA_SCHEMA_ENGINE_BINARY: '/bin/false',
      CHECKPOINT_DISABLE: '1',
      PRISMA_HIDE_UPDATE_MESSAGE: '1',
      NO_COLOR: '1',
    },
  });
  let output = '';
  child.stdout.setEncoding('utf8').on('data', (chunk: string) => (output += chunk));
  child.stderr.setEncoding('utf8').on('data', (chunk: string) => (output += chunk));
  return new Promise((resolvePromise, reject) => {
    child.on('error', reject);
    child.on('close', (code) => resolvePromise({ code: code ?? 1, output }));
  });
}

export async function generateDomain(domain: Domain, options: { force?: boolean } = {}): Promise<GenerateResult> {
  const started = performance.now();
  const schemaFile = schemaPath(domain);
  const { cli, version } = prisma7();
  const outputs = generatorOutputs(schemaFile);
  const hash = sha256Hex(`prisma@${version}\n${readFileSync(schemaFile)}`);
  const upToDate =
    outputs.length > 0 && outputs.every((output) => existsSync(join(output, HASH_FILE)) && readFileSync(join(output, HASH_FILE), 'utf8').trim() === hash);
  if (upToDate && !options.force) return { domain, outputs, generated: false, durationMs: performance.now() - started };

  // cwd is the schema's folder, which has no prisma.config.ts: Prisma 7 must not pick up an unrelated config.
  const result = await run(cli, ['generate', '--schema', schemaFile], dirname(schemaFile));
  if (result.code !== 0) throw new Error(`prisma generate failed for ${domain} (exit ${result.code}):\n${result.output.trim()}`);
  for (const output of outputs) writeFileSync(join(output, HASH_FILE), `${hash}\n`);
  return { domain, outputs, generated: true, durationMs: performance.now() - started };
}

/** Generate every domain's client, in parallel. */
export async function generateAll(options: { force?: boolean; domains?: readonly Domain[] } = {}): Promise<GenerateResult[]> {
  return Promise.all((options.domains ?? domainsWithSchema()).map((domain) => generateDomain(domain, options)));
}
