import type { ChildProcess } from 'node:child_process';

/**
 * The IPC conventions of the benchmarks' child processes (a service or a
 * router in a process of its own): a child announces `{ type: 'ready', … }`
 * or `{ type: 'failed', message }`, answers requests with a message of a
 * known type, and stops on a stop message.
 */
interface ChildMessage {
  type: string;
  message?: string;
}

/** Resolves with the child's `ready` message; rejects on its `failed` message, or if it exits first. */
export function awaitReady<Ready extends { type: 'ready' }>(child: ChildProcess, role: string): Promise<Ready> {
  return new Promise((resolve, reject) => {
    const onExit = (code: number | null): void => reject(new Error(`${role} exited with code ${code} before it was ready`));
    child.once('exit', onExit);
    child.on('message', function onMessage(message: ChildMessage) {
      if (message.type === 'ready') {
        child.off('message', onMessage);
        child.off('exit', onExit);
        resolve(message as Ready);
      } else if (message.type === 'failed') {
        reject(new Error(`${role}: ${message.message}`));
      }
    });
  });
}

/** Sends `request` and resolves with the child's first reply of type `replyType`. */
export function askChild<Reply extends { type: string }>(child: ChildProcess, request: object, replyType: Reply['type']): Promise<Reply> {
  return new Promise((resolve) => {
    child.on('message', function onMessage(reply: ChildMessage) {
      if (reply.type !== replyType) return;
      child.off('message', onMessage);
      resolve(reply as Reply);
    });
    child.send(request);
  });
}

/**
 * Asks a benchmark child to stop gracefully, and kills it if it has not
 * exited within `graceMs` (default 15 s).
 */
export async function stopChildProcess(child: ChildProcess, stopMessage: unknown = { type: 'stop' }, graceMs = 15_000): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  child.send(stopMessage as object);
  const timer = setTimeout(() => child.kill('SIGKILL'), graceMs);
  await exited;
  clearTimeout(timer);
}
