/**
 * Summaries of V8 CPU profiles taken over the measured window (--cpu-prof):
 * self time grouped by where the code lives (a package, a workspace, Node
 * internals, GC), plus the hottest functions.
 */
import { readFileSync } from 'node:fs';

interface ProfileNode {
  id: number;
  callFrame: { functionName: string; url: string; lineNumber: number };
}

interface CpuProfile {
  nodes: ProfileNode[];
  samples?: number[];
  timeDeltas?: number[];
}

export interface ProfileSummary {
  /** Sampled CPU (not idle) in ms. */
  busyMs: number;
  categories: { name: string; ms: number }[];
  functions: { name: string; ms: number }[];
}

function category(frame: ProfileNode['callFrame']): string | undefined {
  const { functionName, url } = frame;
  if (functionName === '(idle)' || functionName === '(root)') return undefined;
  if (functionName === '(garbage collector)') return 'garbage collector';
  if (functionName === '(program)') return 'V8 and native code (program)';
  if (url.startsWith('node:')) {
    const segment = url.replace(/^node:(internal\/)?/, '').split('/')[0] ?? url;
    return `node:${segment}`;
  }
  const modules = url.lastIndexOf('/node_modules/');
  if (modules !== -1) {
    const rest = url.slice(modules + '/node_modules/'.length).split('/');
    return rest[0]?.startsWith('@') ? `${rest[0]}/${rest[1]}` : (rest[0] ?? url);
  }
  const workspace = /\/(packages|subgraphs)\/([^/]+)\/(src\/generated\/)?/.exec(url);
  if (workspace) {
    if (workspace[3]) return `Prisma generated client (${workspace[2]})`;
    return workspace[1] === 'packages' ? `@commerce/${workspace[2]}` : `subgraphs/${workspace[2]}`;
  }
  if (/\/router\/src\//.test(url)) return 'router/src';
  if (/\/prisma\//.test(url)) return 'prisma/';
  return url === '' ? 'native functions (socket writes, microtask queue…)' : '(other scripts)';
}

export function summarizeProfile(path: string, top = 8): ProfileSummary {
  const profile = JSON.parse(readFileSync(path, 'utf8')) as CpuProfile;
  const byId = new Map(profile.nodes.map((node) => [node.id, node]));
  const selfMs = new Map<number, number>();
  const samples = profile.samples ?? [];
  const deltas = profile.timeDeltas ?? [];
  for (let index = 0; index < samples.length; index++) {
    // A sample's time is the gap until the next one.
    const ms = (deltas[index + 1] ?? 0) / 1000;
    const id = samples[index] as number;
    selfMs.set(id, (selfMs.get(id) ?? 0) + ms);
  }
  const categories = new Map<string, number>();
  const functions = new Map<string, number>();
  let busyMs = 0;
  for (const [id, ms] of selfMs) {
    const node = byId.get(id);
    if (!node) continue;
    const name = category(node.callFrame);
    if (name === undefined) continue;
    busyMs += ms;
    categories.set(name, (categories.get(name) ?? 0) + ms);
    const file = node.callFrame.url.split('/').slice(-2).join('/');
    const fn = `${node.callFrame.functionName || '(anonymous)'} ${file ? `(${file}:${node.callFrame.lineNumber + 1})` : ''}`.trim();
    functions.set(fn, (functions.get(fn) ?? 0) + ms);
  }
  const sorted = (map: Map<string, number>): { name: string; ms: number }[] =>
    [...map].map(([name, ms]) => ({ name, ms })).sort((a, b) => b.ms - a.ms).slice(0, top);
  return { busyMs, categories: sorted(categories), functions: sorted(functions) };
}
