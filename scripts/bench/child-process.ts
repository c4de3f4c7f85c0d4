import type { ChildProcess } from 'node:child_process';

/**
 * Asks a benchmark child (a service in its own process, spoken to over IPC)
 * to stop gracefully, and kills it if it has not exited within 15 s.
 */
export async function stopChildProcess(child: ChildProcess, stopMessage: unknown = { type: 'stop' }): Promise<void> {
  if (child.exitCode !== null) return;
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  child.send(stopMessage as object);
  const timer = setTimeout(() => child.kill('SIGKILL'), 15_000);
  await exited;
  clearTimeout(timer);
}
