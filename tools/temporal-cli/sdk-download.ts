/**
 * Last resort when no Temporal CLI can be found or built: the Temporal SDK downloads the dev server
 * itself (from temporal.download, so only on machines with internet access) and runs it with the
 * same settings as dev-server-process.ts.
 */
import path from 'node:path';
import { SEARCH_ATTRIBUTES } from '../../pipeline/search-attributes';
import { devServerTuningArgs, type DevServerSettings, type RunningDevServer } from './dev-server-settings';

export async function startSdkDownloadedDevServer(s: DevServerSettings, projectRoot: string): Promise<RunningDevServer> {
  // A development dependency: loaded only here, so installs without it still run everything else.
  let testing: typeof import('@temporalio/testing');
  try {
    testing = await import('@temporalio/testing');
  } catch {
    throw new Error('@temporalio/testing is not installed (it provides the download)');
  }
  const env = await testing.TestWorkflowEnvironment.createLocal({
    server: {
      executable: { type: 'cached-download', downloadDir: path.join(projectRoot, '.tools', 'download') },
      dbFilename: s.dbFilename,
      ip: s.ip,
      port: s.port,
      ui: true,
      uiPort: s.uiPort,
      namespace: s.namespace,
      log: { format: 'pretty', level: 'warn' },
      searchAttributes: [...SEARCH_ATTRIBUTES],
      extraArgs: devServerTuningArgs(s),
    },
  });
  s.log('Running the Temporal dev server downloaded by the Temporal SDK.');
  return { address: env.address, uiUrl: `http://${s.ip}:${s.uiPort}`, stop: () => env.teardown() };
}
