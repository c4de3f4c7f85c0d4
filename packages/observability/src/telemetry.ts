import { createRequire, syncBuiltinESMExports } from 'node:module';
import type * as SdkNodeModule from '@opentelemetry/sdk-node';
import type * as SdkTraceModule from '@opentelemetry/sdk-trace';
import type * as CoreModule from '@opentelemetry/core';
import type * as HttpInstrumentationModule from '@opentelemetry/instrumentation-http';
import type * as GraphQLInstrumentationModule from '@opentelemetry/instrumentation-graphql';
import type * as OtlpHttpModule from '@opentelemetry/exporter-trace-otlp-http';
import type { InMemorySpanExporter, ReadableSpan, SpanProcessor } from '@opentelemetry/sdk-trace';
import type { NodeSDK } from '@opentelemetry/sdk-node';

/**
 * OpenTelemetry setup for every process (router and subgraphs).
 *
 * Off unless asked for: with neither OTEL_EXPORTER_OTLP_ENDPOINT nor
 * OTEL_TRACES_EXPORTER set, nothing is loaded or patched and requests pay
 * nothing (the router is benchmarked against a bare gateway). Trace context
 * still flows in that case; see `currentTraceparent` in trace-context.ts.
 *
 * The SDK is loaded lazily with `require` (its CommonJS build) so that
 * `initTelemetry` stays synchronous and `off` does not even pay the import.
 */

export type TelemetryMode = 'off' | 'otlp' | 'console' | 'memory';

export interface TelemetryOptions {
  /** `service.name` of the spans. The first call in a process wins (dev runs all subgraphs in one). */
  serviceName: string;
  /** Overrides the mode derived from the environment; tests pass 'memory'. */
  mode?: TelemetryMode;
}

export interface TelemetryStatus {
  mode: TelemetryMode;
  /** The service name the SDK was started with; null when off. */
  serviceName: string | null;
}

/**
 * OTEL_SDK_DISABLED=true or OTEL_TRACES_EXPORTER=none: off.
 * OTEL_TRACES_EXPORTER=otlp|console|memory: that exporter.
 * Otherwise an OTLP endpoint turns OTLP on; no endpoint means off.
 */
export function telemetryModeFromEnv(env: NodeJS.ProcessEnv = process.env): TelemetryMode {
  if (env.OTEL_SDK_DISABLED?.trim().toLowerCase() === 'true') return 'off';
  const exporter = env.OTEL_TRACES_EXPORTER?.trim().toLowerCase();
  if (exporter === 'none') return 'off';
  if (exporter === 'otlp' || exporter === 'console' || exporter === 'memory') return exporter;
  if (env.OTEL_EXPORTER_OTLP_ENDPOINT || env.OTEL_EXPORTER_OTLP_TRACES_ENDPOINT) return 'otlp';
  return 'off';
}

interface TelemetryState {
  mode: TelemetryMode;
  serviceName: string | null;
  sdk?: NodeSDK;
  memoryExporter?: InMemorySpanExporter;
  spanProcessors?: SpanProcessor[];
}

// Kept on globalThis, not in module scope: register.ts may be loaded by the
// runtime and index.ts by the app (or by vitest's transformer) as separate
// module instances, and the SDK must still start only once per process.
const STATE_KEY = Symbol.for('@commerce/observability/telemetry');
type GlobalWithState = typeof globalThis & { [STATE_KEY]?: TelemetryState };
const globalState = globalThis as GlobalWithState;

const require = createRequire(import.meta.url);

/** Health and readiness probes would drown real traffic in spans. */
const PROBE_PATHS = new Set(['/health', '/ready', '/healthz', '/readyz', '/.well-known/apollo/server-health']);

function createSpanProcessors(mode: Exclude<TelemetryMode, 'off'>, state: TelemetryState): SpanProcessor[] {
  const { BatchSpanProcessor, SimpleSpanProcessor, InMemorySpanExporter, ConsoleSpanExporter } =
    require('@opentelemetry/sdk-trace') as typeof SdkTraceModule;
  switch (mode) {
    case 'memory': {
      // Simple (synchronous) processor so a test sees a span as soon as it ends.
      state.memoryExporter = new InMemorySpanExporter();
      return [new SimpleSpanProcessor({ exporter: state.memoryExporter })];
    }
    case 'console':
      return [new SimpleSpanProcessor({ exporter: new ConsoleSpanExporter() })];
    case 'otlp': {
      // The exporter reads OTEL_EXPORTER_OTLP_(TRACES_)ENDPOINT/HEADERS itself.
      const { OTLPTraceExporter } = require('@opentelemetry/exporter-trace-otlp-http') as typeof OtlpHttpModule;
      return [new BatchSpanProcessor({ exporter: new OTLPTraceExporter() })];
    }
  }
}

/**
 * Starts the OpenTelemetry NodeSDK once per process: W3C trace context
 * propagation, http instrumentation (incoming spans continue the caller's
 * trace, outgoing requests carry `traceparent`), graphql instrumentation.
 * Calling it again is a no-op that returns the existing status.
 *
 * Call it before `http` and `graphql` are loaded — use `--import
 * ./packages/observability/src/register.ts` — or graphql execution spans are missed.
 */
export function initTelemetry(options: TelemetryOptions): TelemetryStatus {
  const existing = globalState[STATE_KEY];
  if (existing) return { mode: existing.mode, serviceName: existing.serviceName };

  const mode = options.mode ?? telemetryModeFromEnv();
  const state: TelemetryState = { mode, serviceName: mode === 'off' ? null : options.serviceName };
  globalState[STATE_KEY] = state;
  if (mode === 'off') return { mode, serviceName: null };

  const { NodeSDK } = require('@opentelemetry/sdk-node') as typeof SdkNodeModule;
  const { W3CTraceContextPropagator } = require('@opentelemetry/core') as typeof CoreModule;
  const { HttpInstrumentation } = require('@opentelemetry/instrumentation-http') as typeof HttpInstrumentationModule;
  const { GraphQLInstrumentation } = require('@opentelemetry/instrumentation-graphql') as typeof GraphQLInstrumentationModule;

  const spanProcessors = createSpanProcessors(mode, state);
  state.spanProcessors = spanProcessors;
  const sdk = new NodeSDK({
    serviceName: options.serviceName,
    // Only W3C trace context: what the router, subgraphs and Kafka envelopes speak.
    textMapPropagator: new W3CTraceContextPropagator(),
    spanProcessors,
    // Logs go to stdout through pino and metrics are not collected here; without
    // these the SDK would start default OTLP log/metric exporters on its own.
    metricReaders: [],
    logRecordProcessors: [],
    instrumentations: [
      new HttpInstrumentation({
        ignoreIncomingRequestHook: (request) => PROBE_PATHS.has((request.url ?? '').split('?')[0] ?? ''),
      }),
      new GraphQLInstrumentation({
        // Per-resolver spans multiply the cost of every list; opt in when debugging.
        ignoreResolveSpans: process.env.OTEL_GRAPHQL_RESOLVE_SPANS !== 'true',
        ignoreTrivialResolveSpans: true,
        mergeItems: true,
      }),
    ],
  });
  sdk.start();
  state.sdk = sdk;

  // The http instrumentation patches core modules when they are `require`d
  // after it is enabled. In an ESM app `node:http` may already be loaded (and
  // never required again), so require it now: this patches the shared module
  // object and `http.Server.prototype`; syncing makes ESM named imports
  // (`import { request } from 'node:http'`) see the patched functions too.
  require('node:http');
  require('node:https');
  syncBuiltinESMExports();

  return { mode, serviceName: options.serviceName };
}

export function telemetryStatus(): TelemetryStatus {
  const state = globalState[STATE_KEY];
  return state ? { mode: state.mode, serviceName: state.serviceName } : { mode: 'off', serviceName: null };
}

/** Flushes and stops the SDK (on SIGTERM, after the servers drained). Safe when off. */
export async function shutdownTelemetry(): Promise<void> {
  const state = globalState[STATE_KEY];
  const sdk = state?.sdk;
  if (!state || !sdk) return;
  state.sdk = undefined;
  await sdk.shutdown();
}

/**
 * Exports every span ended so far now, without stopping the SDK (the OTLP
 * exporter batches for up to OTEL_BSP_SCHEDULE_DELAY, 5 s by default). Safe when off.
 */
export async function flushTelemetry(): Promise<void> {
  await Promise.all((globalState[STATE_KEY]?.spanProcessors ?? []).map((processor) => processor.forceFlush()));
}

/** Test helper: spans ended so far. Only with OTEL_TRACES_EXPORTER=memory (or mode 'memory'). */
export function getFinishedSpans(): ReadableSpan[] {
  const exporter = globalState[STATE_KEY]?.memoryExporter;
  if (!exporter) {
    throw new Error('getFinishedSpans() needs initTelemetry() with OTEL_TRACES_EXPORTER=memory.');
  }
  return exporter.getFinishedSpans();
}

/** Test helper: forget the spans collected so far. */
export function resetFinishedSpans(): void {
  globalState[STATE_KEY]?.memoryExporter?.reset();
}

export type { ReadableSpan };
