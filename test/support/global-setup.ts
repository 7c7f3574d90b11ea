import { mkdir, mkdtemp, readdir, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { bundleWorkflowCode } from '@temporalio/worker';
import { startTemporalDevServer } from '../../tools/temporal-cli/dev-server';
import { freePort } from '../../tools/net/ports';
import { ensureTestPostgres } from './test-postgres';
import { workflowInterceptorModules } from '../../tracing';

const projectRoot = path.resolve(__dirname, '../..');

/**
 * Starts what every integration suite shares: one real Temporal dev server and the PostgreSQL
 * server suites create their own databases on; and bundles the workflow code once (each suite's
 * worker loads the bundle instead of running webpack again).
 */
export default async function globalSetup(): Promise<void> {
  const log = (line: string) => process.stderr.write(`[test setup] ${line}\n`);
  const workDir = await mkdtemp(path.join(os.tmpdir(), 'ai-tasks-test-'));
  process.env.TEST_SUITE_LOG = await newSuiteLog();
  log(`Worker and API log lines of this run (expected failures included) go to ${path.relative(process.cwd(), process.env.TEST_SUITE_LOG)}`);

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
    // As in the production bundle (tools/build/build.ts): the tracing interceptors, idle for untraced runs.
    workflowInterceptorModules: workflowInterceptorModules(),
    logger: { trace() {}, debug() {}, info() {}, warn: (m: string) => log(m), error: (m: string) => log(m), log() {} } as never,
  });
  const bundlePath = path.join(workDir, 'workflow-bundle.js');
  await writeFile(bundlePath, bundle.code);
  process.env.TEST_WORKFLOW_BUNDLE = bundlePath;
  process.env.TEST_WORK_DIR = workDir;

  Object.assign(globalThis, { __testServices: { temporal, postgres, workDir } });
}

const LOG_DIR = path.join(projectRoot, '.data', 'test-logs');
/** Logs of earlier runs kept beside the new one. */
const KEEP_LOGS = 5;

async function newSuiteLog(): Promise<string> {
  await mkdir(LOG_DIR, { recursive: true });
  const earlier = (await readdir(LOG_DIR)).filter((name) => name.endsWith('.log')).sort();
  for (const name of earlier.slice(0, Math.max(0, earlier.length - KEEP_LOGS + 1))) await rm(path.join(LOG_DIR, name), { force: true });
  const file = path.join(LOG_DIR, `run-${new Date().toISOString().replace(/[:.]/g, '-')}.log`);
  await writeFile(file, '');
  return file;
}
