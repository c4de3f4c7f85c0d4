export {
  initTelemetry,
  shutdownTelemetry,
  flushTelemetry,
  telemetryStatus,
  telemetryModeFromEnv,
  getFinishedSpans,
  resetFinishedSpans,
  type TelemetryMode,
  type TelemetryOptions,
  type TelemetryStatus,
  type ReadableSpan,
} from './telemetry.js';
export {
  currentTraceparent,
  currentTraceContext,
  traceLogFields,
  parseTraceparent,
  readHeader,
  hasActiveSpan,
  TRACEPARENT_HEADER,
  TRACESTATE_HEADER,
  type HeaderSource,
  type TraceContextHeaders,
  type ParsedTraceparent,
  type TraceLogFields,
} from './trace-context.js';
export { createLogger, logFormatFromEnv, logLevelFromEnv, type LogFormat, type Logger, type LoggerOptions } from './logger.js';
