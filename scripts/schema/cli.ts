/** Argument handling shared by the schema CLIs: repository defaults, overridable for experiments. */
import { resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { fileURLToPath } from 'node:url';
import type { CheckOptions } from './lib.ts';

const repoRoot = resolve(fileURLToPath(new URL('.', import.meta.url)), '../..');

export function cliOptions(argv: readonly string[] = process.argv.slice(2)): CheckOptions {
  const { values } = parseArgs({
    args: [...argv],
    options: {
      config: { type: 'string' },
      'schema-dir': { type: 'string' },
    },
  });
  return {
    configPath: resolve(values.config ?? resolve(repoRoot, 'supergraph.yaml')),
    schemaDir: resolve(values['schema-dir'] ?? resolve(repoRoot, 'schema')),
  };
}
