/** The crash-after-commit failpoint: off unless asked for, and never in production. */
import { afterEach, describe, expect, it, vi } from 'vitest';
import { crashAfterCommitFailpoint } from '../src/consumer/failpoint.js';
import type { EventEnvelope } from '../src/define.js';

const envelope = (type: string): EventEnvelope => ({ type } as unknown as EventEnvelope);

afterEach(() => {
  vi.unstubAllEnvs();
  vi.restoreAllMocks();
});

describe('FAULT_CRASH_AFTER_COMMIT', () => {
  it('is off when the variable is unset', () => {
    vi.stubEnv('FAULT_CRASH_AFTER_COMMIT', '');
    expect(crashAfterCommitFailpoint()).toBeUndefined();
  });

  it('is refused with APP_ENV=production, so a stray variable cannot take production down', () => {
    vi.stubEnv('FAULT_CRASH_AFTER_COMMIT', 'order.placed');
    vi.stubEnv('APP_ENV', 'production');
    expect(() => crashAfterCommitFailpoint()).toThrow(/refused with APP_ENV=production/);
  });

  it('SIGKILLs its own process once a committed transaction handled an event of that type, and only then', () => {
    vi.stubEnv('FAULT_CRASH_AFTER_COMMIT', 'order.placed');
    vi.stubEnv('APP_ENV', 'test');
    const kill = vi.spyOn(process, 'kill').mockImplementation(() => true);
    const onCommitted = crashAfterCommitFailpoint();
    onCommitted?.([envelope('order.confirmed')]);
    expect(kill).not.toHaveBeenCalled();
    onCommitted?.([envelope('order.confirmed'), envelope('order.placed')]);
    expect(kill).toHaveBeenCalledWith(process.pid, 'SIGKILL');
  });
});
