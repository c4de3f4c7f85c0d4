/**
 * Debian's Prometheus (ships `promtool`) for the metrics tests: the alert rules
 * and scrape config are checked with promtool, and a real Prometheus scrapes a
 * running stack. Installed with apt-get when missing (CI runs as root), as
 * ensureChromium does.
 */
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { log } from './util.js';

export const PROMETHEUS_PATH = '/usr/bin/prometheus';
export const PROMTOOL_PATH = '/usr/bin/promtool';

let installing: Promise<{ prometheus: string; promtool: string }> | undefined;

/** Resolves with the paths of prometheus and promtool, installing Debian's `prometheus` package when missing. */
export function ensurePrometheus(): Promise<{ prometheus: string; promtool: string }> {
  const paths = { prometheus: PROMETHEUS_PATH, promtool: PROMTOOL_PATH };
  if (existsSync(PROMETHEUS_PATH) && existsSync(PROMTOOL_PATH)) return Promise.resolve(paths);
  installing ??= (async () => {
    if (process.getuid?.() !== 0) {
      throw new Error('Prometheus is missing and installing it needs root. Run: sudo apt-get update && sudo apt-get install -y prometheus');
    }
    const run = (args: string[]): number | null =>
      spawnSync('apt-get', ['-o', 'DPkg::Lock::Timeout=600', ...args], {
        stdio: ['ignore', 'inherit', 'inherit'],
        env: { ...process.env, DEBIAN_FRONTEND: 'noninteractive' },
      }).status;
    log("Prometheus is missing; installing Debian's prometheus package");
    const started = Date.now();
    if (run(['update']) !== 0) throw new Error('apt-get update failed; Prometheus could not be installed');
    // --no-install-recommends: the exporters and the web console libraries are not needed.
    if (run(['install', '-y', '--no-install-recommends', 'prometheus']) !== 0) throw new Error('apt-get install -y prometheus failed');
    if (!existsSync(PROMETHEUS_PATH) || !existsSync(PROMTOOL_PATH)) throw new Error(`apt-get installed prometheus but ${PROMETHEUS_PATH} or ${PROMTOOL_PATH} is missing`);
    log(`Prometheus installed in ${((Date.now() - started) / 1000).toFixed(0)}s`);
    return paths;
  })();
  installing.catch(() => {
    installing = undefined;
  });
  return installing;
}
