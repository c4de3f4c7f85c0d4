/**
 * Preloaded (node --require) into the Prisma 6 CLI process by engine.ts.
 *
 * Prisma 6's WebAssembly schema engine arms long timers (10 s, 60 s) from
 * inside wasm, e.g. timeouts raced against database calls, and never clears
 * them; the CLI only calls process.exit() on failure, so after a successful
 * command the process lingers until those timers fire. Un-ref'ing timers that
 * wasm creates lets Node exit as soon as the real work (pg sockets, file I/O)
 * is done. The operations those timers guard keep the process alive by
 * themselves, so no work is cut short.
 */
'use strict';

const { promisify } = require('node:util');

function unrefFromWasm(original) {
  function patchedTimer(...args) {
    const timer = original.apply(this, args);
    if (timer && typeof timer.unref === 'function' && String(new Error().stack).includes('wasm://')) timer.unref();
    return timer;
  }
  // Keep util.promisify(setTimeout) working for the CLI's own code.
  if (original[promisify.custom]) patchedTimer[promisify.custom] = original[promisify.custom];
  return patchedTimer;
}

globalThis.setTimeout = unrefFromWasm(globalThis.setTimeout);
globalThis.setInterval = unrefFromWasm(globalThis.setInterval);
