/** Argument handling shared by the schema CLIs: repository defaults, overridable for experiments. */
import { resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { fileURLToPath } from 'node:url';
import type { CheckOptions } from './lib.ts';

const repoRoot = resolve(fileURLToPath(new URL('.', import.meta.url)), '../..');

/** Client apps whose operations the schema check validates (an admin app joins this list). */
export const CLIENT_APPS = ['storefront', 'admin'];

export function cliOptions(argv: readonly string[] = process.argv.slice(2)): CheckOptions {
  const { values } = parseArgs({
    args: [...argv],
    options: {
      config: { type: 'string' },
      'schema-dir': { type: 'string' },
      /** Client app folder to check operations of (repeatable); default CLIENT_APPS. */
      app: { type: 'string', multiple: true },
    },
  });
  return {
    configPath: resolve(values.config ?? resolve(repoRoot, 'supergraph.yaml')),
    schemaDir: resolve(values['schema-dir'] ?? resolve(repoRoot, 'schema')),
    // An explicit --config (experiments, tests) checks no app unless --app is given.
    apps: (values.app ?? (values.config ? [] : CLIENT_APPS)).map((app) => resolve(repoRoot, app)),
  };
}
