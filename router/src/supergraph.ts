/**
 * Where the router's supergraph comes from.
 *
 * Default: schema/supergraph.graphql, composed and committed by
 * `npm run schema:compose`. The file is watched; when it changes the new
 * supergraph is swapped in without a restart, and if it is invalid the
 * router keeps serving the previous one.
 *
 * Development only (`--poll`): introspect the running subgraphs listed in
 * supergraph.yaml and recompose on an interval, so a subgraph schema edit
 * shows up without composing by hand.
 */
import { watch, type FSWatcher } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { basename, dirname, resolve } from 'node:path';
import { IntrospectAndCompose, type SupergraphManager, type SupergraphSdlHook } from '@apollo/gateway';
import { parse as parseYaml } from 'yaml';
import { DOMAINS, readEnv, subgraphUrl, type Domain } from '@commerce/config';
import type { Logger } from '@commerce/observability';

const isDomain = (name: string): name is Domain => (DOMAINS as readonly string[]).includes(name);

/**
 * The URL the router calls for a subgraph. In order: an explicit override
 * (tests run subgraphs on ephemeral ports), `<NAME>_URL` or `<NAME>_PORT` from
 * the environment (via @commerce/config), else the routing_url composed into
 * the supergraph.
 */
export function resolveSubgraphUrl(name: string, routingUrl: string, overrides: Readonly<Record<string, string>> = {}): string {
  const override = overrides[name];
  if (override) return override;
  const envName = name.toUpperCase().replace(/[^A-Z0-9]/g, '_');
  if (readEnv(`${envName}_URL`) !== undefined || readEnv(`${envName}_PORT`) !== undefined) {
    return isDomain(name) ? subgraphUrl(name) : (readEnv(`${envName}_URL`) ?? routingUrl);
  }
  return routingUrl;
}

export interface FileSupergraphOptions {
  path: string;
  /** Edits arrive as several events (truncate, write, rename); act once they settle. */
  debounceMs?: number;
  logger: Logger;
  /** Told about every attempted reload, for logs and tests. */
  onReload?: (outcome: { ok: true } | { ok: false; error: Error }) => void;
}

/** A `supergraphSdl` hook that serves a file and hot-swaps it when it changes. */
export function fileSupergraph(options: FileSupergraphOptions): SupergraphSdlHook {
  const path = resolve(options.path);
  const debounceMs = options.debounceMs ?? 150;
  return async ({ update }) => {
    let current = await readFile(path, 'utf8').catch((error: unknown) => {
      throw new Error(`Cannot read the supergraph at ${path}; run \`npm run schema:compose\` first.`, { cause: error });
    });
    let timer: NodeJS.Timeout | undefined;
    let reloading = Promise.resolve();

    const reload = async (): Promise<void> => {
      let next: string;
      try {
        next = await readFile(path, 'utf8');
      } catch (error) {
        // Mid-rename or deleted: the next event (or the restored file) triggers another try.
        options.logger.warn({ err: error, path }, 'supergraph file unreadable; keeping the current schema');
        return;
      }
      if (next === current || next.trim() === '') return;
      try {
        // The gateway builds and validates the supergraph and throws before swapping if it is invalid.
        update(next);
        current = next;
        options.logger.info({ path }, 'supergraph reloaded');
        options.onReload?.({ ok: true });
      } catch (error) {
        const err = error instanceof Error ? error : new Error(String(error));
        options.logger.error({ err, path }, 'new supergraph rejected; still serving the previous one');
        options.onReload?.({ ok: false, error: err });
      }
    };

    // Watch the directory, not the file: editors and `schema:compose` may
    // replace the file (new inode), which silently ends a watch on the file itself.
    const watcher: FSWatcher = watch(dirname(path), (_event, filename) => {
      if (filename !== null && filename !== basename(path)) return;
      clearTimeout(timer);
      timer = setTimeout(() => {
        reloading = reloading.then(reload);
      }, debounceMs);
    });
    watcher.on('error', (error) => options.logger.error({ err: error, path }, 'supergraph watch failed; hot reload is off'));

    return {
      supergraphSdl: current,
      cleanup: async () => {
        clearTimeout(timer);
        watcher.close();
        await reloading;
      },
    };
  };
}

export interface PollSupergraphOptions {
  /** Rover-format supergraph.yaml listing the subgraphs. */
  configPath: string;
  intervalMs: number;
  subgraphUrls?: Readonly<Record<string, string>>;
  logger: Logger;
}

/** Development only: compose from the live subgraphs' `_service { sdl }`, re-checked every interval. */
export async function pollSupergraph(options: PollSupergraphOptions): Promise<SupergraphManager> {
  const raw: unknown = parseYaml(await readFile(options.configPath, 'utf8'));
  const listed = typeof raw === 'object' && raw !== null && 'subgraphs' in raw ? raw.subgraphs : undefined;
  if (typeof listed !== 'object' || listed === null) throw new Error(`${options.configPath}: expected a "subgraphs" map`);
  const subgraphs = Object.entries(listed).map(([name, entry]: [string, unknown]) => {
    const routingUrl = typeof entry === 'object' && entry !== null && 'routing_url' in entry ? entry.routing_url : undefined;
    if (typeof routingUrl !== 'string') throw new Error(`${options.configPath}: subgraph "${name}" needs a routing_url`);
    return { name, url: resolveSubgraphUrl(name, routingUrl, options.subgraphUrls) };
  });
  return new IntrospectAndCompose({ subgraphs, pollIntervalInMs: options.intervalMs, logger: options.logger });
}
