import { readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { launcherDataDir } from './settings';

/**
 * Where `npm start` writes the addresses of what it started (runtime.json in its data directory),
 * so the project's other commands (`npm run account:create`, …) find the embedded database without
 * the user copying its URL. It holds the embedded database's password: readable by its owner only.
 */
export function runtimeFile(dataDir = launcherDataDir()): string {
  return path.join(dataDir, 'runtime.json');
}

export interface RuntimeAddresses {
  databaseUrl: string;
  temporalAddress: string;
  apiUrl: string;
  /** The Temporal Web UI, when `npm start` knows it (its dev server's, or TEMPORAL_UI_URL). */
  temporalUiUrl?: string;
}

export function writeRuntimeAddresses(dataDir: string, addresses: RuntimeAddresses): void {
  writeFileSync(runtimeFile(dataDir), JSON.stringify(addresses, null, 2), { mode: 0o600 });
}

export function readRuntimeAddresses(dataDir = launcherDataDir()): RuntimeAddresses | undefined {
  try {
    return JSON.parse(readFileSync(runtimeFile(dataDir), 'utf8')) as RuntimeAddresses;
  } catch {
    return undefined;
  }
}
