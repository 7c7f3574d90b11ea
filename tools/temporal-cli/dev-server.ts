/**
 * Starts the Temporal dev server (with its Web UI) that the embedded defaults use, keeping its state
 * in <dataDir>/temporal.db so tasks survive a restart, and makes sure the service's search attributes
 * exist on it.
 */
import { promises as fs } from 'node:fs';
import path from 'node:path';
import { DEV_SERVER_DYNAMIC_CONFIG, DEV_SERVER_SQLITE_PRAGMAS, type DevServerSettings, type RunningDevServer } from './dev-server-settings';
import { spawnDevServer } from './dev-server-process';
import { locateTemporalCli, missingTemporalCliMessage } from './locate';
import { assertPortFree } from '../net/ports';
import { startSdkDownloadedDevServer } from './sdk-download';
import { registerSearchAttributes } from './search-attributes';

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
    sqlitePragmas: opts.sqlitePragmas ?? DEV_SERVER_SQLITE_PRAGMAS,
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
