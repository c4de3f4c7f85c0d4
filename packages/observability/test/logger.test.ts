import { describe, expect, it } from 'vitest';
import { execFile } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { logFormatFromEnv } from '../src/index.js';

const run = promisify(execFile);
const packageDir = fileURLToPath(new URL('..', import.meta.url));

async function logLines(format: string | undefined): Promise<{ lines: string[]; traceId: string }> {
  const env: NodeJS.ProcessEnv = { ...process.env, NO_COLOR: '1' };
  delete env.LOG_FORMAT;
  if (format !== undefined) env.LOG_FORMAT = format;
  const { stdout, stderr } = await run(process.execPath, ['--import', 'tsx', './test/fixtures/log-lines.ts'], {
    cwd: packageDir,
    env,
    timeout: 30_000,
  });
  return { lines: stdout.trimEnd().split('\n'), traceId: stderr.trim() };
}

describe('log format', () => {
  it('is JSON unless LOG_FORMAT=pretty', () => {
    expect(logFormatFromEnv({})).toBe('json');
    expect(logFormatFromEnv({ LOG_FORMAT: 'json' })).toBe('json');
    expect(logFormatFromEnv({ LOG_FORMAT: ' Pretty ' })).toBe('pretty');
  });

  it('writes one JSON object a line, with the service and the trace id (production, LOG_FORMAT=json)', async () => {
    for (const format of [undefined, 'json']) {
      const { lines, traceId } = await logLines(format);
      expect(traceId).toMatch(/^[0-9a-f]{32}$/);
      expect(lines.map((line) => JSON.parse(line) as Record<string, unknown>)).toMatchObject([
        { level: 'info', service: 'orders', msg: 'order placed', orderId: 'o-1', trace_id: traceId },
        { level: 'warn', service: 'inventory', msg: 'reservation failed', shortages: 1, trace_id: traceId },
      ]);
    }
  });

  it('writes one readable line an event with the service name (LOG_FORMAT=pretty, as npm start sets)', async () => {
    const { lines, traceId } = await logLines('pretty');
    expect(lines).toHaveLength(2);
    expect(lines[0]).toMatch(/^\[\d\d:\d\d:\d\d\.\d{3}\] INFO: orders +order placed \{.*"orderId":"o-1"/);
    expect(lines[0]).toContain(`"trace_id":"${traceId}"`);
    expect(lines[1]).toMatch(/^\[\d\d:\d\d:\d\d\.\d{3}\] WARN: inventory +reservation failed \{/);
  });
});
