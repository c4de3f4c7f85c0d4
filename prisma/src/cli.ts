/**
 * Migrator CLI (run from prisma/ with tsx; root scripts db:generate, db:migrate):
 *
 *   generate [--force] [--domain <d>]          Prisma 7 clients for every domain with a schema
 *   migrate [--env <env>[,<env>]] [--domain <d>]  apply pending migrations (env: test|development|production)
 *   status [--env <env>] [--domain <d>]        Prisma's own `migrate status` against our bookkeeping
 *   check-drift [--domain <d>]                 prove migrations == schema.prisma, per domain
 *   new <domain> <name> [--allow-empty]        write the next migration from the schema diff
 */
import { appEnv, databaseUrl, type AppEnv, type Domain } from '@commerce/config';
import { checkDriftAll, createMigration, formatDrift } from './drift.ts';
import { generateAll } from './generate.ts';
import { migrateAll } from './migrate.ts';
import { prismaMigrateStatus } from './engine.ts';
import { domainsWithSchema, isDomain, migrationsDir, parseDomain, PRISMA_DIR, schemaPath } from './paths.ts';
import { relative } from 'node:path';

const USAGE = `usage: tsx src/cli.ts <command>
  generate [--force] [--domain <d>]
  migrate [--env test|development|production[,...]] [--domain <d>]
  status [--env test|development|production[,...]] [--domain <d>]
  check-drift [--domain <d>]
  new <domain> <name> [--allow-empty]`;

interface Args {
  positional: string[];
  flags: Map<string, string | true>;
}

function parseArgs(argv: readonly string[]): Args {
  const positional: string[] = [];
  const flags = new Map<string, string | true>();
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i] as string;
    if (!arg.startsWith('--')) {
      positional.push(arg);
      continue;
    }
    const [name, inline] = arg.slice(2).split('=', 2) as [string, string | undefined];
    if (inline !== undefined) flags.set(name, inline);
    else if (argv[i + 1] !== undefined && !(argv[i + 1] as string).startsWith('--') && ['env', 'domain'].includes(name)) flags.set(name, argv[++i] as string);
    else flags.set(name, true);
  }
  return { positional, flags };
}

function flagValue(args: Args, name: string): string | undefined {
  const value = args.flags.get(name);
  if (value === true) throw new Error(`--${name} needs a value\n${USAGE}`);
  if (value !== undefined) return value;
  // `npm run db:migrate -- --env=test` goes through a nested `npm run -w prisma`,
  // whose npm swallows --env/--domain as its own config and exports them as
  // npm_config_*. Without "=", npm records "true" and passes the value on as a
  // bare word, which positionalOptions() picks up instead.
  const fromNpm = process.env[`npm_config_${name}`];
  return fromNpm && fromNpm !== 'true' ? fromNpm : undefined;
}

const ENV_LIST = /^(test|development|production)(,(test|development|production))*$/;

/** Bare words after the command: an env list or a domain name (they never overlap). */
function positionalOptions(args: Args, words: readonly string[]): void {
  for (const word of words) {
    if (ENV_LIST.test(word) && !args.flags.has('env')) args.flags.set('env', word);
    else if (isDomain(word) && !args.flags.has('domain')) args.flags.set('domain', word);
    else throw new Error(`Unexpected argument "${word}"\n${USAGE}`);
  }
}

function parseEnvs(value: string | undefined): AppEnv[] {
  if (value === undefined) return [appEnv()];
  return value.split(',').map((env) => {
    if (env !== 'test' && env !== 'development' && env !== 'production') throw new Error(`Unknown env "${env}" (test, development, production)`);
    return env;
  });
}

function selectedDomains(args: Args): Domain[] {
  const domain = flagValue(args, 'domain');
  return domain === undefined ? domainsWithSchema() : [parseDomain(domain)];
}

const seconds = (ms: number): string => `${(ms / 1000).toFixed(2)}s`;
const out = (line: string): void => void process.stdout.write(`${line}\n`);

async function main(argv: readonly string[]): Promise<number> {
  const args = parseArgs(argv);
  const [command, ...rest] = args.positional;
  if (command === 'generate' || command === 'migrate' || command === 'status' || command === 'check-drift') positionalOptions(args, rest);
  const started = performance.now();
  switch (command) {
    case 'generate': {
      // npm_config_force: `npm run db:generate -- --force` reaches us through a nested npm that keeps --force.
      const force = args.flags.has('force') || process.env.npm_config_force === 'true';
      const results = await generateAll({ force, domains: selectedDomains(args) });
      for (const result of results) {
        out(`${result.domain}: ${result.generated ? `generated in ${seconds(result.durationMs)}` : 'up to date'} -> ${result.outputs.map((o) => relative(process.cwd(), o)).join(', ')}`);
      }
      return 0;
    }
    case 'migrate': {
      for (const env of parseEnvs(flagValue(args, 'env'))) {
        const results = await migrateAll(env, { domains: selectedDomains(args) });
        for (const result of results) {
          if (result.noMigrations) continue;
          const what = result.applied.length > 0 ? `applied ${result.applied.length} migration(s)` : 'up to date';
          out(`${result.domain} (${result.database}): ${what}, ${result.alreadyApplied} already applied, ${seconds(result.durationMs)}`);
        }
      }
      out(`done in ${seconds(performance.now() - started)}`);
      return 0;
    }
    case 'status': {
      // Prisma 6's real `migrate status` (wasm engine), run one domain at a time for readable output.
      let failures = 0;
      for (const env of parseEnvs(flagValue(args, 'env'))) {
        for (const domain of selectedDomains(args)) {
          const run = await prismaMigrateStatus(databaseUrl(domain, env), schemaPath(domain), migrationsDir(domain));
          const report = run.stdout
            .split('\n')
            .filter((line) => !/^(Prisma schema loaded|Datasource "db"|WARNING: Your schema|- url|The values from your schema|We recommend you)/.test(line))
            .join('\n')
            .replace(/\n{3,}/g, '\n\n')
            .trim();
          out(`── ${domain} (${env}) ──\n${report}${run.exitCode === 0 ? '' : `\n${run.stderr.trim()}`}\n`);
          if (run.exitCode !== 0) failures++;
        }
      }
      return failures === 0 ? 0 : 1;
    }
    case 'check-drift': {
      const results = await checkDriftAll(selectedDomains(args));
      for (const result of results) out(formatDrift(result));
      const drifted = results.filter((result) => result.drifted);
      out(drifted.length === 0 ? `No drift (${seconds(performance.now() - started)})` : `Drift in: ${drifted.map((r) => r.domain).join(', ')}`);
      return drifted.length === 0 ? 0 : 1;
    }
    case 'new': {
      const [domain, name] = rest;
      if (!domain || !name) throw new Error(USAGE);
      const created = await createMigration(parseDomain(domain), name, { allowEmpty: args.flags.has('allow-empty') });
      if (!created) {
        out(`${domain}: schema.prisma matches the migrations; nothing to do (--allow-empty writes an empty migration for hand-written SQL)`);
        return 0;
      }
      out(`${domain}: created ${relative(PRISMA_DIR, created.path)} (${seconds(performance.now() - started)})\n`);
      out(created.sql);
      return 0;
    }
    default:
      process.stderr.write(`${USAGE}\n`);
      return command === undefined || command === 'help' || args.flags.has('help') ? 0 : 2;
  }
}

try {
  process.exitCode = await main(process.argv.slice(2));
} catch (error) {
  process.stderr.write(`${error instanceof Error ? error.message : String(error)}\n`);
  process.exitCode = 1;
}
