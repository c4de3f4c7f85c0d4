import { describe, expect, it } from 'vitest';
import { execFile } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';

const run = promisify(execFile);
const packageDir = fileURLToPath(new URL('..', import.meta.url));

describe('register.ts preload', () => {
  it('instruments http and graphql before the app imports them', async () => {
    const { stdout } = await run(
      process.execPath,
      ['--import', 'tsx', '--import', './src/register.ts', './test/fixtures/preloaded-app.ts'],
      { cwd: packageDir, env: { ...process.env, OTEL_TRACES_EXPORTER: 'memory', OTEL_SERVICE_NAME: 'preloaded' }, timeout: 30_000 },
    );
    const out = JSON.parse(stdout) as {
      status: { mode: string; serviceName: string };
      body: string;
      spans: { name: string; kind: number; service: string }[];
    };
    expect(out.status).toEqual({ mode: 'memory', serviceName: 'preloaded' });
    expect(JSON.parse(out.body)).toEqual({ data: { hello: 'world' } });
    expect(out.spans.some((s) => s.kind === 1)).toBe(true); // http server span
    expect(out.spans.some((s) => /graphql|query/i.test(s.name))).toBe(true);
    expect(new Set(out.spans.map((s) => s.service))).toEqual(new Set(['preloaded']));
  });

  it('does nothing when telemetry is not configured', async () => {
    const env = { ...process.env };
    delete env.OTEL_TRACES_EXPORTER;
    delete env.OTEL_EXPORTER_OTLP_ENDPOINT;
    delete env.OTEL_EXPORTER_OTLP_TRACES_ENDPOINT;
    const { stdout } = await run(
      process.execPath,
      [
        '--import',
        'tsx',
        '--import',
        './src/register.ts',
        '--input-type=module',
        '-e',
        "const m = await import('./src/index.ts'); process.stdout.write(JSON.stringify(m.telemetryStatus()))",
      ],
      { cwd: packageDir, env, timeout: 30_000 },
    );
    expect(JSON.parse(stdout)).toEqual({ mode: 'off', serviceName: null });
  });
});
