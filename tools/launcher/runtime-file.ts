import { readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';

/**
 * Where `npm start` writes the addresses of what it started, so the project's other commands
 * (`npm run account:create`, …) find the embedded database without the user copying its URL.
 * It holds the embedded database's password: it stays in .data/, readable by its owner only.
 */
export const RUNTIME_FILE = path.resolve(__dirname, '../../.data/runtime.json');

export interface RuntimeAddresses {
  databaseUrl: string;
  temporalAddress: string;
  apiUrl: string;
}

export function writeRuntimeAddresses(addresses: RuntimeAddresses): void {
  writeFileSync(RUNTIME_FILE, JSON.stringify(addresses, null, 2), { mode: 0o600 });
}

export function readRuntimeAddresses(): RuntimeAddresses | undefined {
  try {
    return JSON.parse(readFileSync(RUNTIME_FILE, 'utf8')) as RuntimeAddresses;
  } catch {
    return undefined;
  }
}
