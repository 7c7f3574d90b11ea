/**
 * Starts the Temporal dev server (with its Web UI) that the embedded defaults use, keeping its state
 * in <dataDir>/temporal.db so tasks survive a restart, and makes sure the service's search attributes
 * exist on it.
 */
import { promises as fs } from 'node:fs';
import path from 'node:path';
import { spawnDevServer } from './dev-server-process';
import { locateTemporalCli, missingTemporalCliMessage } from './locate';
import { assertPortFree } from './ports';
import { startSdkDownloadedDevServer } from './sdk-download';
import { registerSearchAttributes } from './search-attributes';

export type DevServerSettings = {
  dbFilename: string;
  ip: string;
  port: number;
  uiPort: number;
  namespace: string;
  /** `PRAGMA=VALUE` statements for the server's SQLite database, e.g. `journal_mode=WAL`. */
  sqlitePragmas: string[];
  /** Dynamic config values (DEV_SERVER_DYNAMIC_CONFIG and any given). */
  dynamicConfig: Record<string, string | number | boolean>;
  log: (line: string) => void;
};

export type RunningDevServer = { address: string; uiUrl: string; stop(): Promise<void> };

/**
 * Dynamic config for the single-host dev server. Its history service reads newly scheduled workflow
 * and activity tasks at most `transferProcessorMaxPollRPS` times a second (20 by default), so every
 * step of a run waited up to 50 ms for its turn: about 45 ms a step, 650 ms for a 6-step run. Eager
 * activity execution hands an activity its workflow task scheduled straight back to that worker.
 */
export const DEV_SERVER_DYNAMIC_CONFIG: Record<string, string | number | boolean> = {
  'history.transferProcessorMaxPollRPS': 1000,
  'system.enableActivityEagerExecution': true,
};

/** The command-line flags that apply a dev server's tuning (pragmas and dynamic config). */
export function devServerTuningArgs(s: Pick<DevServerSettings, 'sqlitePragmas' | 'dynamicConfig'>): string[] {
  return [
    ...s.sqlitePragmas.flatMap((pragma) => ['--sqlite-pragma', pragma]),
    ...Object.entries(s.dynamicConfig).flatMap(([key, value]) => ['--dynamic-config-value', `${key}=${JSON.stringify(value)}`]),
  ];
}

const IP = '127.0.0.1';

export async function startTemporalDevServer(opts: {
  projectRoot: string;
  dataDir: string;
  port?: number;
  uiPort?: number;
  namespace?: string;
  log?: (line: string) => void;
  allowBuild?: boolean;
  sqlitePragmas?: string[];
  dynamicConfig?: Record<string, string | number | boolean>;
}): Promise<RunningDevServer> {
  const log = opts.log ?? (() => {});
  const settings: DevServerSettings = {
    dbFilename: path.join(opts.dataDir, 'temporal.db'),
    ip: IP,
    port: opts.port ?? 7233,
    uiPort: opts.uiPort ?? 8233,
    namespace: opts.namespace ?? 'default',
    sqlitePragmas: opts.sqlitePragmas ?? [],
    dynamicConfig: { ...DEV_SERVER_DYNAMIC_CONFIG, ...opts.dynamicConfig },
    log,
  };
  await assertPortFree(settings.port, IP, 'Temporal frontend');
  await assertPortFree(settings.uiPort, IP, 'Temporal Web UI');
  await fs.mkdir(opts.dataDir, { recursive: true });

  const cli = await locateTemporalCli({ projectRoot: opts.projectRoot, log, allowBuild: opts.allowBuild });
  let server: RunningDevServer;
  if (cli.path !== undefined) {
    server = await spawnDevServer(cli.path, settings);
  } else {
    log(`${cli.reason}; trying the Temporal SDK's download of the dev server…`);
    try {
      server = await startSdkDownloadedDevServer(settings, opts.projectRoot);
    } catch (err) {
      throw new Error(missingTemporalCliMessage([cli.reason, `the Temporal SDK's download failed: ${(err as Error).message}`]));
    }
  }

  // `--search-attribute` only applies when the dev server creates the namespace, i.e. on a new
  // database file; on an existing one it is silently ignored, so register through the API every time.
  try {
    const { added } = await registerSearchAttributes(server.address, settings.namespace);
    if (added.length) log(`Registered search attributes ${added.join(', ')} on namespace ${settings.namespace}`);
  } catch (err) {
    await server.stop();
    throw err;
  }
  return server;
}
