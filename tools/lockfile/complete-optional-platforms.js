#!/usr/bin/env node
/**
 * `npm run lock:complete`: adds package-lock entries for other platforms' optional binaries
 * (@swc/core-darwin-arm64, …) that npm leaves out when its registry cannot describe them, so
 * `npm ci` accepts the lock on every machine. Entries carry os/cpu/libc, so npm skips them on
 * other platforms. Run it after changing dependencies.
 */
const fs = require('node:fs');
const path = require('node:path');

const lockPath = path.resolve(__dirname, '../../package-lock.json');
const lock = JSON.parse(fs.readFileSync(lockPath, 'utf8'));

const OS = [['darwin', 'darwin'], ['win32', 'win32'], ['freebsd', 'freebsd'], ['android', 'android'], ['openharmony', 'openharmony'], ['linux', 'linux']];
const CPU = [['arm64', 'arm64'], ['aarch64', 'arm64'], ['arm-', 'arm'], ['ia32', 'ia32'], ['ppc64', 'ppc64'], ['s390x', 's390x'], ['riscv64', 'riscv64'], ['loong64', 'loong64'], ['x64', 'x64']];
const pick = (table, name, fallback) => (table.find(([needle]) => name.includes(needle)) ?? [null, fallback])[1];

let added = 0;
for (const entry of Object.values(lock.packages)) {
  for (const [name, version] of Object.entries(entry.optionalDependencies ?? {})) {
    const key = `node_modules/${name}`;
    if (lock.packages[key]) continue;
    const platform = { version, cpu: [pick(CPU, name, 'x64')], os: [pick(OS, name, 'linux')], optional: true };
    if (name.includes('musl')) platform.libc = ['musl'];
    else if (name.includes('gnu')) platform.libc = ['glibc'];
    lock.packages[key] = platform;
    added++;
  }
}
fs.writeFileSync(lockPath, `${JSON.stringify(lock, null, 2)}\n`);
console.log(added ? `Added ${added} optional platform entries to package-lock.json` : 'package-lock.json already lists every optional platform package');
