/**
 * Apollo Studio reporting, with Apollo's own plugins, only when asked for.
 *
 * - `APOLLO_KEY` and `APOLLO_GRAPH_REF` both set: usage reporting (operations,
 *   field usage, traces) and schema reporting (the supergraph the router serves,
 *   as the gateway loads it, again on every hot reload). `APOLLO_SCHEMA_REPORTING=false`
 *   keeps usage only, for a variant whose schema Studio composes from
 *   `rover subgraph publish`.
 * - Neither set: no plugin at all, and Apollo Server (which reads the same two
 *   variables) installs none either: nothing is sent anywhere.
 * - Only one of them set: a misconfiguration; both reporters are explicitly
 *   disabled (Apollo Server would otherwise start usage reporting with a key
 *   alone, or schema reporting from APOLLO_SCHEMA_REPORTING) and a warning says why.
 *
 * The gateway's own anonymous telemetry is separate (APOLLO_TELEMETRY_DISABLED, set by the router).
 */
import type { ApolloServerPlugin, BaseContext } from '@apollo/server';
import { ApolloServerPluginSchemaReportingDisabled, ApolloServerPluginUsageReportingDisabled } from '@apollo/server/plugin/disabled';
import { ApolloServerPluginSchemaReporting } from '@apollo/server/plugin/schemaReporting';
import { ApolloServerPluginUsageReporting } from '@apollo/server/plugin/usageReporting';

export interface StudioConfig {
  /** APOLLO_KEY and APOLLO_GRAPH_REF are both set. */
  enabled: boolean;
  /** Only one of them is set. */
  misconfigured: boolean;
  graphRef: string | undefined;
  /** APOLLO_SCHEMA_REPORTING is not `false`. */
  schemaReporting: boolean;
}

const present = (value: string | undefined): value is string => value !== undefined && value.trim() !== '';

/** The router's Studio settings from the environment (Apollo's own variable names). */
export function studioConfigFromEnv(env: NodeJS.ProcessEnv = process.env): StudioConfig {
  const hasKey = present(env.APOLLO_KEY);
  const hasRef = present(env.APOLLO_GRAPH_REF);
  return {
    enabled: hasKey && hasRef,
    misconfigured: hasKey !== hasRef,
    graphRef: hasRef ? env.APOLLO_GRAPH_REF?.trim() : undefined,
    schemaReporting: env.APOLLO_SCHEMA_REPORTING?.trim().toLowerCase() !== 'false',
  };
}

export interface StudioPluginOptions {
  /** Defaults to `studioConfigFromEnv()`. */
  config?: StudioConfig;
  /** Where warnings go (the router's logger). */
  logger?: { warn(message: string): void };
  /** Tests: a local stand-in for Apollo's usage ingress (`<url>/api/ingress/traces`). */
  usageEndpointUrl?: string;
  /** Tests: a local stand-in for Apollo's schema reporting endpoint. */
  schemaEndpointUrl?: string;
  /** Tests: send each usage report at once instead of every 10 s. */
  sendReportsImmediately?: boolean;
  /** Schema reporting waits up to this long (random, 10 s by default) before its first report. */
  schemaInitialDelayMaxMs?: number;
}

/** The Studio plugins for the router's ApolloServer: `plugins: [..., ...studioPlugins({ logger })]`. */
export function studioPlugins<TContext extends BaseContext>(options: StudioPluginOptions = {}): ApolloServerPlugin<TContext>[] {
  const config = options.config ?? studioConfigFromEnv();
  if (config.misconfigured) {
    options.logger?.warn('Apollo Studio reporting is off: set both APOLLO_KEY and APOLLO_GRAPH_REF (or neither).');
    return [ApolloServerPluginUsageReportingDisabled(), ApolloServerPluginSchemaReportingDisabled()];
  }
  if (!config.enabled) return [];
  return [
    ApolloServerPluginUsageReporting<TContext>({
      // Variables and headers may hold personal data; Apollo's defaults send neither values nor headers.
      sendVariableValues: { none: true },
      sendHeaders: { none: true },
      ...(options.usageEndpointUrl !== undefined ? { endpointUrl: options.usageEndpointUrl } : {}),
      ...(options.sendReportsImmediately !== undefined ? { sendReportsImmediately: options.sendReportsImmediately } : {}),
    }),
    config.schemaReporting
      ? ApolloServerPluginSchemaReporting({
          ...(options.schemaEndpointUrl !== undefined ? { endpointUrl: options.schemaEndpointUrl } : {}),
          ...(options.schemaInitialDelayMaxMs !== undefined ? { initialDelayMaxMs: options.schemaInitialDelayMaxMs } : {}),
        })
      : ApolloServerPluginSchemaReportingDisabled(),
  ];
}
