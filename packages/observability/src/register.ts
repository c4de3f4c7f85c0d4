/**
 * Preload entry: `tsx --import ./packages/observability/src/register.ts src/main.ts`
 * (or `node --import`). It starts telemetry before the application imports
 * `http` and `graphql`, which is when instrumentation must be in place.
 *
 * The service name comes from OTEL_SERVICE_NAME, else the npm package being
 * run, else 'commerce'. With telemetry off (the default) this does nothing.
 */
import { initTelemetry } from './telemetry.js';

const packageName = process.env.npm_package_name?.replace(/^@[^/]+\//, '');
initTelemetry({ serviceName: process.env.OTEL_SERVICE_NAME ?? packageName ?? 'commerce' });
