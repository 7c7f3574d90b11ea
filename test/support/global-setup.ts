import { mkdtemp, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { bundleWorkflowCode } from '@temporalio/worker';
import { startTemporalDevServer } from '../../tools/temporal-cli/dev-server';
import { freePort } from './ports';
import { ensureTestPostgres } from './test-postgres';

const projectRoot = path.resolve(__dirname, '../..');

/**
 * Starts what every integration suite shares: one real Temporal dev server and the PostgreSQL
 * server suites create their own databases on; and bundles the workflow code once (each suite's
 * worker loads the bundle instead of running webpack again).
 */
export default async function globalSetup(): Promise<void> {
  const log = (line: string) => process.stderr.write(`[test setup] ${line}\n`);
  const workDir = await mkdtemp(path.join(os.tmpdir(), 'ai-tasks-test-'));

  const postgres = await ensureTestPostgres(log);
  process.env.TEST_DATABASE_URL = postgres.url;

  const temporal = await startTemporalDevServer({
    projectRoot,
    dataDir: workDir,
    port: await freePort(),
    uiPort: await freePort(),
    allowBuild: true,
    log,
  });
  process.env.TEST_TEMPORAL_ADDRESS = temporal.address;

  const bundle = await bundleWorkflowCode({
    workflowsPath: require.resolve('../../workflows'),
    logger: { trace() {}, debug() {}, info() {}, warn: (m: string) => log(m), error: (m: string) => log(m), log() {} } as never,
  });
  const bundlePath = path.join(workDir, 'workflow-bundle.js');
  await writeFile(bundlePath, bundle.code);
  process.env.TEST_WORKFLOW_BUNDLE = bundlePath;
  process.env.TEST_WORK_DIR = workDir;

  Object.assign(globalThis, { __testServices: { temporal, postgres, workDir } });
}
