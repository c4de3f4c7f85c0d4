#!/usr/bin/env node
// Usage: node scripts/fix-lockfile.cjs package-lock.json   (after any npm install here)
// The registry reachable here serves only the Linux builds of these optional
// platform binaries; npm leaves the others out of the lock and `npm ci` then
// calls the lock out of sync. Record them as the optional entries they are.
const fs = require('fs');
const file = process.argv[2];
const lock = JSON.parse(fs.readFileSync(file, 'utf8'));
const entries = {
  '@biomejs/cli-win32-x64': ['2.6.8', 'win32', 'x64'],
  '@biomejs/cli-win32-arm64': ['2.6.8', 'win32', 'arm64'],
  '@biomejs/cli-darwin-x64': ['2.6.8', 'darwin', 'x64'],
  '@biomejs/cli-darwin-arm64': ['2.6.8', 'darwin', 'arm64'],
  '@biomejs/cli-linux-x64-musl': ['2.6.8', 'linux', 'x64', 'musl'],
  '@biomejs/cli-linux-arm64-musl': ['2.6.8', 'linux', 'arm64', 'musl'],
  '@biomejs/cli-android-x64': ['2.6.8', 'android', 'x64'],
  '@biomejs/cli-android-arm64': ['2.6.8', 'android', 'arm64'],
  '@turbo/darwin-64': ['2.11.11', 'darwin', 'x64'],
  '@turbo/darwin-arm64': ['2.11.11', 'darwin', 'arm64'],
  '@turbo/windows-64': ['2.11.11', 'win32', 'x64'],
  '@turbo/windows-arm64': ['2.11.11', 'win32', 'arm64'],
};
let added = 0;
for (const [name, [version, os, cpu, libc]] of Object.entries(entries)) {
  const key = `node_modules/${name}`;
  if (lock.packages[key]) continue;
  lock.packages[key] = { version, cpu: [cpu], dev: true, license: name.startsWith('@turbo') ? 'MIT' : 'MIT OR Apache-2.0', optional: true, os: [os], ...(libc ? { libc: [libc] } : {}) };
  added++;
}
lock.packages = Object.fromEntries(Object.entries(lock.packages).sort(([a], [b]) => (a === '' ? -1 : b === '' ? 1 : a.localeCompare(b))));
fs.writeFileSync(file, JSON.stringify(lock, null, 2) + '\n');
console.log('added', added);
