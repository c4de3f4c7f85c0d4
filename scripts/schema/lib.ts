/**
 * The schema pipeline: offline composition of supergraph.yaml, drift checks on
 * the committed outputs, and breaking-change detection for the client-facing
 * API schema. Every function takes paths so tests can run it on temp dirs; the
 * CLIs (compose.ts, check.ts, baseline.ts) only wire repository defaults.
 */
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, isAbsolute, join, relative, resolve } from 'node:path';
import { composeServices } from '@apollo/composition';
import { Supergraph } from '@apollo/federation-internals';
import { diff, CriticalityLevel, type Change } from '@graphql-inspector/core';
import { buildSchema, GraphQLError, lexicographicSortSchema, parse, printSchema, Source, type DocumentNode } from 'graphql';
import { parse as parseYaml, stringify as stringifyYaml } from 'yaml';
import { checkOperations, formatOperationProblems, type OperationCheckResult } from './operations.ts';

// ---------------------------------------------------------------------------
// supergraph.yaml (Rover's format)

export interface SubgraphSource {
  name: string;
  routingUrl: string;
  /** Absolute path of the subgraph's schema file. */
  schemaPath: string;
}

export interface SupergraphConfig {
  /** Rover's `federation_version`, informational: composition uses the installed @apollo/composition. */
  federationVersion: string | undefined;
  subgraphs: SubgraphSource[];
}

const isRecord = (value: unknown): value is Record<string, unknown> =>
  typeof value === 'object' && value !== null && !Array.isArray(value);

/** Reads Rover's supergraph config; schema files are resolved relative to the YAML file, as Rover does. */
export function readSupergraphConfig(configPath: string): SupergraphConfig {
  const raw: unknown = parseYaml(readFileSync(configPath, 'utf8'));
  if (!isRecord(raw) || !isRecord(raw.subgraphs)) {
    throw new Error(`${configPath}: expected a top-level "subgraphs" map`);
  }
  const baseDir = dirname(resolve(configPath));
  const subgraphs: SubgraphSource[] = [];
  for (const [name, entry] of Object.entries(raw.subgraphs)) {
    if (!isRecord(entry) || typeof entry.routing_url !== 'string') {
      throw new Error(`${configPath}: subgraph "${name}" needs a routing_url`);
    }
    const schema = entry.schema;
    if (!isRecord(schema) || typeof schema.file !== 'string') {
      // Rover also accepts subgraph_url/graphref sources; offline composition only reads files.
      throw new Error(`${configPath}: subgraph "${name}" needs schema.file (only file sources compose offline)`);
    }
    subgraphs.push({
      name,
      routingUrl: entry.routing_url,
      schemaPath: isAbsolute(schema.file) ? schema.file : resolve(baseDir, schema.file),
    });
  }
  if (subgraphs.length === 0) throw new Error(`${configPath}: no subgraphs listed`);
  const version = raw.federation_version;
  return { federationVersion: typeof version === 'string' ? version : undefined, subgraphs };
}

// ---------------------------------------------------------------------------
// Composition

export interface CompositionProblem {
  /** Federation error code, e.g. FIELD_TYPE_MISMATCH, or GRAPHQL_PARSE_FAILED for a syntax error. */
  code: string;
  message: string;
  /** Subgraphs the error points at (from its locations and its message). */
  subgraphs: string[];
  /** "path:line:column" of each AST node involved, when known. */
  locations: string[];
}

export type ComposeResult =
  | { ok: true; supergraphSdl: string; apiSdl: string; hints: string[] }
  | { ok: false; errors: CompositionProblem[] };

/** Composes offline. Never throws for schema problems; returns them as readable errors. */
export function composeSupergraph(configPath: string): ComposeResult {
  const config = readSupergraphConfig(configPath);
  const cwd = process.cwd();
  const display = (path: string): string => relative(cwd, path) || path;
  const subgraphBySource = new Map(config.subgraphs.map((s) => [display(s.schemaPath), s.name]));

  const services: { name: string; url: string; typeDefs: DocumentNode }[] = [];
  const parseErrors: CompositionProblem[] = [];
  for (const subgraph of config.subgraphs) {
    const shown = display(subgraph.schemaPath);
    if (!existsSync(subgraph.schemaPath)) {
      parseErrors.push({ code: 'SCHEMA_FILE_MISSING', message: `Schema file ${shown} does not exist.`, subgraphs: [subgraph.name], locations: [] });
      continue;
    }
    try {
      // Naming the Source after the file makes every later error location point at it.
      const typeDefs = parse(new Source(readFileSync(subgraph.schemaPath, 'utf8'), shown));
      services.push({ name: subgraph.name, url: subgraph.routingUrl, typeDefs });
    } catch (error) {
      parseErrors.push(toProblem(error, subgraphBySource, 'GRAPHQL_PARSE_FAILED', [subgraph.name]));
    }
  }
  if (parseErrors.length > 0) return { ok: false, errors: parseErrors };

  const result = composeServices(services);
  if (result.errors) {
    return { ok: false, errors: result.errors.map((e) => toProblem(e, subgraphBySource, 'COMPOSITION_ERROR', [])) };
  }
  return {
    ok: true,
    supergraphSdl: ensureTrailingNewline(result.supergraphSdl),
    apiSdl: printApiSchema(result.supergraphSdl),
    hints: result.hints.map((hint) => hint.toString()),
  };
}

function toProblem(
  error: unknown,
  subgraphBySource: Map<string, string>,
  fallbackCode: string,
  knownSubgraphs: string[],
): CompositionProblem {
  if (!(error instanceof GraphQLError)) {
    return { code: fallbackCode, message: String(error), subgraphs: knownSubgraphs, locations: [] };
  }
  const code = typeof error.extensions.code === 'string' ? error.extensions.code : fallbackCode;
  const subgraphs = new Set(knownSubgraphs);
  const locations: string[] = [];
  const sources = error.nodes?.map((node) => node.loc?.source).filter((s) => s !== undefined) ?? (error.source ? [error.source] : []);
  for (const source of sources) {
    const name = subgraphBySource.get(source.name);
    if (name) subgraphs.add(name);
  }
  for (const [index, location] of (error.locations ?? []).entries()) {
    const source = sources[index] ?? sources[0];
    locations.push(`${source?.name ?? '?'}:${location.line}:${location.column}`);
  }
  // Federation messages name subgraphs as `subgraph "x"` or `subgraphs "x" and "y"`, or prefix `[x]`.
  for (const name of subgraphBySource.values()) {
    if (error.message.includes(`"${name}"`) || error.message.startsWith(`[${name}]`)) subgraphs.add(name);
  }
  return { code, message: error.message, subgraphs: [...subgraphs], locations };
}

/** The client-facing schema: federation machinery and @inaccessible elements removed, types sorted by name so the file only changes when the API does. */
export function printApiSchema(supergraphSdl: string): string {
  const api = Supergraph.build(supergraphSdl).apiSchema();
  return ensureTrailingNewline(printSchema(lexicographicSortSchema(api.toGraphQLJSSchema())));
}

export function formatCompositionErrors(errors: readonly CompositionProblem[]): string {
  const lines = [`Composition failed with ${errors.length} error${errors.length === 1 ? '' : 's'}:`, ''];
  for (const [index, error] of errors.entries()) {
    const where = error.subgraphs.length > 0 ? ` (subgraph${error.subgraphs.length > 1 ? 's' : ''}: ${error.subgraphs.join(', ')})` : '';
    lines.push(`${index + 1}. [${error.code}]${where}`);
    lines.push(`   ${error.message.replace(/\n/g, '\n   ')}`);
    for (const location of error.locations) lines.push(`   at ${location}`);
    lines.push('');
  }
  return lines.join('\n');
}

const ensureTrailingNewline = (text: string): string => (text.endsWith('\n') ? text : `${text}\n`);

// ---------------------------------------------------------------------------
// Files under schema/

export interface SchemaFiles {
  supergraph: string;
  api: string;
  baseline: string;
  acknowledgements: string;
}

export function schemaFiles(schemaDir: string): SchemaFiles {
  return {
    supergraph: join(schemaDir, 'supergraph.graphql'),
    api: join(schemaDir, 'api.graphql'),
    baseline: join(schemaDir, 'api.baseline.graphql'),
    acknowledgements: join(schemaDir, 'breaking-changes.yaml'),
  };
}

const SUPERGRAPH_HEADER = '# Generated by `npm run schema:compose` from supergraph.yaml. Do not edit.\n';
const API_HEADER = '# Client-facing API schema, generated by `npm run schema:compose`. Do not edit.\n';

/** Exact file contents compose writes, so check can compare byte for byte. */
export function renderedFiles(result: { supergraphSdl: string; apiSdl: string }): { supergraph: string; api: string } {
  return { supergraph: SUPERGRAPH_HEADER + result.supergraphSdl, api: API_HEADER + result.apiSdl };
}

export function writeComposed(schemaDir: string, result: { supergraphSdl: string; apiSdl: string }): SchemaFiles {
  const files = schemaFiles(schemaDir);
  const rendered = renderedFiles(result);
  mkdirSync(schemaDir, { recursive: true });
  writeFileSync(files.supergraph, rendered.supergraph);
  writeFileSync(files.api, rendered.api);
  return files;
}

const readIfExists = (path: string): string | undefined => (existsSync(path) ? readFileSync(path, 'utf8') : undefined);

// ---------------------------------------------------------------------------
// A small unified diff (LCS on lines), enough to show what drifted.

export interface DiffOptions {
  fromLabel: string;
  toLabel: string;
  context?: number;
  /** Output is cut after this many lines; drift usually needs only the first hunk to be obvious. */
  maxLines?: number;
}

export function unifiedDiff(from: string, to: string, options: DiffOptions): string {
  const context = options.context ?? 3;
  const maxLines = options.maxLines ?? 60;
  const a = from.split('\n');
  const b = to.split('\n');
  // Trim the common prefix and suffix so the quadratic LCS only sees the changed middle.
  let start = 0;
  while (start < a.length && start < b.length && a[start] === b[start]) start++;
  let endA = a.length;
  let endB = b.length;
  while (endA > start && endB > start && a[endA - 1] === b[endB - 1]) {
    endA--;
    endB--;
  }
  const midA = a.slice(start, endA);
  const midB = b.slice(start, endB);
  const n = midA.length;
  const m = midB.length;
  if (n === 0 && m === 0) return '';
  const width = m + 1;
  const lcs = new Uint32Array((n + 1) * width);
  for (let i = n - 1; i >= 0; i--) {
    for (let j = m - 1; j >= 0; j--) {
      lcs[i * width + j] =
        midA[i] === midB[j] ? (lcs[(i + 1) * width + j + 1] ?? 0) + 1 : Math.max(lcs[(i + 1) * width + j] ?? 0, lcs[i * width + j + 1] ?? 0);
    }
  }
  type Op = { kind: ' ' | '-' | '+'; text: string; aLine: number; bLine: number };
  const ops: Op[] = [];
  for (let k = Math.max(0, start - context); k < start; k++) ops.push({ kind: ' ', text: a[k] ?? '', aLine: k, bLine: k });
  let i = 0;
  let j = 0;
  while (i < n || j < m) {
    if (i < n && j < m && midA[i] === midB[j]) {
      ops.push({ kind: ' ', text: midA[i] ?? '', aLine: start + i, bLine: start + j });
      i++;
      j++;
    } else if (j < m && (i >= n || (lcs[i * width + j + 1] ?? 0) >= (lcs[(i + 1) * width + j] ?? 0))) {
      ops.push({ kind: '+', text: midB[j] ?? '', aLine: start + i, bLine: start + j });
      j++;
    } else {
      ops.push({ kind: '-', text: midA[i] ?? '', aLine: start + i, bLine: start + j });
      i++;
    }
  }
  for (let k = 0; k < context && endA + k < a.length; k++) {
    ops.push({ kind: ' ', text: a[endA + k] ?? '', aLine: endA + k, bLine: endB + k });
  }

  // Group into hunks: changed lines plus `context` lines around them.
  const keep = ops.map(() => false);
  ops.forEach((op, index) => {
    if (op.kind === ' ') return;
    for (let k = Math.max(0, index - context); k <= Math.min(ops.length - 1, index + context); k++) keep[k] = true;
  });
  const out = [`--- ${options.fromLabel}`, `+++ ${options.toLabel}`];
  let index = 0;
  while (index < ops.length) {
    if (!keep[index]) {
      index++;
      continue;
    }
    let end = index;
    while (end < ops.length && keep[end]) end++;
    const hunk = ops.slice(index, end);
    const first = hunk[0];
    const aCount = hunk.filter((op) => op.kind !== '+').length;
    const bCount = hunk.filter((op) => op.kind !== '-').length;
    out.push(`@@ -${(first?.aLine ?? 0) + 1},${aCount} +${(first?.bLine ?? 0) + 1},${bCount} @@`);
    for (const op of hunk) out.push(`${op.kind}${op.text}`);
    index = end;
  }
  if (out.length > maxLines) {
    const hidden = out.length - maxLines;
    return [...out.slice(0, maxLines), `... (${hidden} more diff lines)`].join('\n');
  }
  return out.join('\n');
}

// ---------------------------------------------------------------------------
// Breaking changes and their acknowledgements

/** One entry of schema/breaking-changes.yaml. */
export interface Acknowledgement {
  /** Schema coordinate as graphql-inspector reports it, e.g. `Query.product` or `Product.price.currency`. */
  path: string;
  /** graphql-inspector change type, e.g. FIELD_REMOVED. Give this or `message`. */
  type?: string;
  /** The exact change message, when the type alone is too broad. */
  message?: string;
  /** Why breaking clients is acceptable (who was told, what replaces it). */
  reason: string;
  /** When it was acknowledged (YYYY-MM-DD). */
  date: string;
}

export function readAcknowledgements(file: string): Acknowledgement[] {
  const text = readIfExists(file);
  if (text === undefined) return [];
  const raw: unknown = parseYaml(text);
  if (raw === null || raw === undefined) return [];
  const list = isRecord(raw) ? raw.acknowledged : undefined;
  if (list === null || list === undefined) return [];
  if (!Array.isArray(list)) throw new Error(`${file}: "acknowledged" must be a list`);
  return list.map((entry: unknown, index) => {
    const where = `${file}: acknowledged[${index}]`;
    if (!isRecord(entry)) throw new Error(`${where} must be a map`);
    const str = (key: string): string | undefined => {
      const value = entry[key];
      if (value === undefined || value === null) return undefined;
      // YAML turns an unquoted 2026-01-31 into a Date; accept it as the day it names.
      if (value instanceof Date) return value.toISOString().slice(0, 10);
      if (typeof value !== 'string') throw new Error(`${where}.${key} must be a string`);
      return value;
    };
    const path = str('path');
    const reason = str('reason');
    const date = str('date');
    const type = str('type');
    const message = str('message');
    if (!path) throw new Error(`${where} needs a path (e.g. Query.product)`);
    if (!reason) throw new Error(`${where} needs a reason`);
    if (!date) throw new Error(`${where} needs a date`);
    if (!type && !message) throw new Error(`${where} needs a type (e.g. FIELD_REMOVED) or the change message`);
    return { path, reason, date, ...(type ? { type } : {}), ...(message ? { message } : {}) };
  });
}

export interface SchemaChange {
  type: string;
  path: string | undefined;
  message: string;
  level: 'BREAKING' | 'DANGEROUS' | 'NON_BREAKING';
  /** graphql-inspector's explanation of why it breaks or is risky. */
  reason: string | undefined;
}

export interface BreakingChangeReport {
  breaking: SchemaChange[];
  acknowledged: { change: SchemaChange; by: Acknowledgement }[];
  dangerous: SchemaChange[];
  safe: SchemaChange[];
  /** Acknowledgements that match no current change: left over after a baseline move, or mistyped. */
  unused: Acknowledgement[];
}

const matches = (ack: Acknowledgement, change: SchemaChange): boolean =>
  ack.path === change.path && (ack.type === undefined || ack.type === change.type) && (ack.message === undefined || ack.message === change.message);

export async function findBreakingChanges(
  baselineSdl: string,
  currentSdl: string,
  acknowledgements: readonly Acknowledgement[],
): Promise<BreakingChangeReport> {
  const changes: Change[] = await diff(buildSchema(baselineSdl), buildSchema(currentSdl));
  const report: BreakingChangeReport = { breaking: [], acknowledged: [], dangerous: [], safe: [], unused: [] };
  const used = new Set<Acknowledgement>();
  for (const raw of changes) {
    const change: SchemaChange = {
      type: String(raw.type),
      path: raw.path,
      message: raw.message,
      level: raw.criticality.level === CriticalityLevel.Breaking ? 'BREAKING' : raw.criticality.level === CriticalityLevel.Dangerous ? 'DANGEROUS' : 'NON_BREAKING',
      reason: raw.criticality.reason,
    };
    if (change.level === 'BREAKING') {
      const ack = acknowledgements.find((candidate) => matches(candidate, change));
      if (ack) {
        used.add(ack);
        report.acknowledged.push({ change, by: ack });
      } else {
        report.breaking.push(change);
      }
    } else if (change.level === 'DANGEROUS') {
      report.dangerous.push(change);
    } else {
      report.safe.push(change);
    }
  }
  report.unused = acknowledgements.filter((ack) => !used.has(ack));
  return report;
}

// ---------------------------------------------------------------------------
// The whole check

export interface CheckOptions {
  configPath: string;
  schemaDir: string;
  /**
   * Client app folders (e.g. `<repo>/storefront`) whose `graphql()` documents
   * must validate against the freshly composed API schema. Default none.
   */
  apps?: readonly string[];
}

export interface DriftedFile {
  file: string;
  diff: string;
}

export interface CheckReport {
  ok: boolean;
  compositionErrors: CompositionProblem[];
  drift: DriftedFile[];
  /** Undefined when composition failed (nothing to compare) or there is no baseline. */
  changes: BreakingChangeReport | undefined;
  missingBaseline: boolean;
  /** Problems reading breaking-changes.yaml. */
  acknowledgementError: string | undefined;
  /** The client apps' operations against the composed API; undefined without apps or when composition failed. */
  operations: OperationCheckResult | undefined;
}

export async function checkSchema(options: CheckOptions): Promise<CheckReport> {
  const files = schemaFiles(options.schemaDir);
  const report: CheckReport = {
    ok: false,
    compositionErrors: [],
    drift: [],
    changes: undefined,
    missingBaseline: false,
    acknowledgementError: undefined,
    operations: undefined,
  };
  const composed = composeSupergraph(options.configPath);
  if (!composed.ok) {
    report.compositionErrors = composed.errors;
    return report;
  }
  const expected = renderedFiles(composed);
  for (const [file, want] of [
    [files.supergraph, expected.supergraph],
    [files.api, expected.api],
  ] as const) {
    const have = readIfExists(file);
    if (have === want) continue;
    const shown = relative(process.cwd(), file) || file;
    report.drift.push({
      file: shown,
      diff: have === undefined ? `${shown} is missing` : unifiedDiff(have, want, { fromLabel: `${shown} (committed)`, toLabel: `${shown} (composed)` }),
    });
  }
  const baseline = readIfExists(files.baseline);
  if (baseline === undefined) {
    report.missingBaseline = true;
  } else {
    let acknowledgements: Acknowledgement[] = [];
    try {
      acknowledgements = readAcknowledgements(files.acknowledgements);
    } catch (error) {
      report.acknowledgementError = error instanceof Error ? error.message : String(error);
    }
    // Compare the freshly composed API (what would ship), not the possibly stale committed file.
    report.changes = await findBreakingChanges(baseline, composed.apiSdl, acknowledgements);
  }
  if (options.apps && options.apps.length > 0) report.operations = checkOperations(composed.apiSdl, options.apps);
  report.ok =
    report.drift.length === 0 &&
    !report.missingBaseline &&
    report.acknowledgementError === undefined &&
    (report.changes?.breaking.length ?? 0) === 0 &&
    (report.operations?.problems.length ?? 0) === 0;
  return report;
}

const describe = (change: SchemaChange): string => `${change.path ?? '(schema)'} [${change.type}] ${change.message}`;

export function formatCheckReport(report: CheckReport): string {
  const out: string[] = [];
  if (report.compositionErrors.length > 0) {
    out.push(formatCompositionErrors(report.compositionErrors));
    out.push('✗ schema check failed: the subgraph schemas do not compose.');
    return out.join('\n');
  }
  for (const drifted of report.drift) {
    out.push(`✗ ${drifted.file} is out of date with the subgraph schemas:`, drifted.diff, '');
  }
  if (report.drift.length > 0) out.push('  → run `npm run schema:compose` and commit the result.', '');
  if (report.missingBaseline) out.push('✗ schema/api.baseline.graphql is missing → run `npm run schema:baseline` and commit it.', '');
  if (report.acknowledgementError) out.push(`✗ ${report.acknowledgementError}`, '');
  const changes = report.changes;
  if (changes) {
    if (changes.breaking.length > 0) {
      out.push(`✗ ${changes.breaking.length} breaking change${changes.breaking.length === 1 ? '' : 's'} against the baseline API (schema/api.baseline.graphql):`);
      for (const change of changes.breaking) {
        out.push(`  - ${describe(change)}`);
        if (change.reason) out.push(`      why it breaks: ${change.reason}`);
      }
      out.push(
        '  → prefer a non-breaking path (deprecate first, add alongside). If the break is intended,',
        '    acknowledge each change in schema/breaking-changes.yaml, e.g.:',
        '',
        ...stringifyYaml({
          acknowledged: changes.breaking.map((change) => ({
            path: change.path ?? '',
            type: change.type,
            reason: '<why clients can take this>',
            date: new Date().toISOString().slice(0, 10),
          })),
        })
          .trimEnd()
          .split('\n')
          .map((line) => `      ${line}`),
        '',
      );
    }
    for (const { change, by } of changes.acknowledged) {
      out.push(`✓ acknowledged breaking change: ${describe(change)} (${by.date}: ${by.reason})`);
    }
    for (const change of changes.dangerous) {
      out.push(`⚠ dangerous change: ${describe(change)}${change.reason ? `\n      ${change.reason}` : ''}`);
    }
    for (const ack of changes.unused) {
      out.push(`⚠ schema/breaking-changes.yaml entry matches no change: ${ack.path} ${ack.type ?? ack.message ?? ''} (remove it, or fix its path/type)`);
    }
    if (changes.safe.length > 0) out.push(`  ${changes.safe.length} non-breaking change${changes.safe.length === 1 ? '' : 's'} since the baseline.`);
  }
  const operations = report.operations;
  if (operations) {
    if (operations.problems.length > 0) {
      out.push(
        `✗ ${operations.problems.length} client operation problem${operations.problems.length === 1 ? '' : 's'} against the composed API:`,
        formatOperationProblems(operations.problems).replace(/^/gm, '  - '),
        '  → change the operation (then `npm run codegen -w storefront`), or keep the field in the subgraph schema.',
        '',
      );
    } else {
      out.push(`✓ ${operations.documents} client operations and fragments are valid against the composed API.`);
    }
  }
  out.push(report.ok ? '✓ schema check passed.' : '✗ schema check failed.');
  return out.join('\n');
}

// ---------------------------------------------------------------------------
// Moving the baseline

const ACK_HEADER = `# Breaking changes to the client-facing API (schema/api.graphql) that were
# made on purpose since the baseline (schema/api.baseline.graphql).
# \`npm run schema:check\` fails on any breaking change not listed here.
# \`npm run schema:baseline\` empties this list when the baseline moves.
# See schema/README.md.
`;

export function emptyAcknowledgementsFile(): string {
  return `${ACK_HEADER}acknowledged: []\n`;
}

const BASELINE_HEADER = `# The API as last released; breaking changes are measured against it.
# Moved only by \`npm run schema:baseline\` when a release ships. Do not edit.
`;

export type BaselineResult = { ok: true; dropped: number } | { ok: false; message: string };

/**
 * Accepts the committed api.graphql as the new baseline. It must match a fresh
 * composition, so a baseline is never taken from a stale file. The
 * acknowledgements are cleared: the baseline now contains those changes.
 */
export function acceptBaseline(options: CheckOptions): BaselineResult {
  const files = schemaFiles(options.schemaDir);
  const composed = composeSupergraph(options.configPath);
  if (!composed.ok) return { ok: false, message: formatCompositionErrors(composed.errors) };
  const api = readIfExists(files.api);
  if (api !== renderedFiles(composed).api) {
    return { ok: false, message: 'schema/api.graphql is not up to date; run `npm run schema:compose` first.' };
  }
  let dropped = 0;
  try {
    dropped = readAcknowledgements(files.acknowledgements).length;
  } catch {
    // A malformed file is replaced anyway; the baseline move makes its content moot.
  }
  writeFileSync(files.baseline, BASELINE_HEADER + composed.apiSdl);
  writeFileSync(files.acknowledgements, emptyAcknowledgementsFile());
  return { ok: true, dropped };
}
