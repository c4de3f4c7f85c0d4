/**
 * The smallest logger shape the library needs. Structural on purpose: a pino
 * logger (from @commerce/observability) fits, and so does a test double,
 * without this package depending on a logging implementation.
 */
export interface EventLogger {
  info(obj: object, msg?: string): void;
  warn(obj: object, msg?: string): void;
  error(obj: object, msg?: string): void;
  debug?(obj: object, msg?: string): void;
}

export const silentLogger: EventLogger = {
  info() {},
  warn() {},
  error() {},
  debug() {},
};

/** A serialisable view of an unknown thrown value, for log lines and headers. */
export function errorInfo(error: unknown): { name: string; message: string; stack?: string } {
  if (error instanceof Error) {
    const info: { name: string; message: string; stack?: string } = { name: error.name, message: error.message };
    if (error.stack) info.stack = error.stack;
    return info;
  }
  return { name: 'NonError', message: String(error) };
}

export function errorMessage(error: unknown): string {
  return error instanceof Error ? `${error.name}: ${error.message}` : String(error);
}
