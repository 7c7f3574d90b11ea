/**
 * `npm run histories:record`: runs one task of each recorded scenario on real parts (a fresh
 * Temporal dev server, a test database, the demo provider) and writes each workflow's history to
 * test/replay/histories/, where the replay test proves the current workflow code still replays
 * them. Re-record after a deliberate, versioned change to workflow code — never to silence a
 * replay failure.
 */
import { mkdtemp, mkdir, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { bundleWorkflowCode } from '@temporalio/worker';
import { historyToJSON } from '@temporalio/common/lib/proto-utils';
import { startTemporalDevServer } from '../../tools/temporal-cli/dev-server';
import { freePort } from '../../tools/net/ports';
import { ensureTestPostgres } from '../support/test-postgres';
import { childFile, HISTORIES_DIR } from './generations';
import { RECORDED_SCENARIOS } from './scenarios';

const projectRoot = path.resolve(__dirname, '../..');

async function main(): Promise<void> {
  const log = (line: string) => console.log(`[record] ${line}`);
  const workDir = await mkdtemp(path.join(os.tmpdir(), 'ai-tasks-record-'));
  const postgres = await ensureTestPostgres(log);
  const temporal = await startTemporalDevServer({ projectRoot, dataDir: workDir, port: await freePort(), uiPort: await freePort(), log });
  try {
    const bundle = await bundleWorkflowCode({ workflowsPath: require.resolve('../../workflows') });
    const bundlePath = path.join(workDir, 'workflow-bundle.js');
    await writeFile(bundlePath, bundle.code);
    Object.assign(process.env, { TEST_DATABASE_URL: postgres.url, TEST_TEMPORAL_ADDRESS: temporal.address, TEST_WORKFLOW_BUNDLE: bundlePath });

    // Imported after the environment is set: the stack reads it.
    const { startTestStack } = await import('../support/stack');
    const stack = await startTestStack({ providerIdleTimeoutMs: 5000 });
    try {
      await mkdir(HISTORIES_DIR, { recursive: true });
      const record = async (workflowId: string, file: string) => {
        const history = await stack.temporal.workflow.getHandle(workflowId).fetchHistory();
        await writeFile(path.join(HISTORIES_DIR, file), `${JSON.stringify({ workflowId, history: JSON.parse(historyToJSON(history)) }, null, 1)}\n`);
        log(`${file}: ${history.events?.length ?? 0} events`);
        return history;
      };
      for (const scenario of RECORDED_SCENARIOS) {
        const taskId = await scenario.run(stack);
        const history = await record(taskId, `${scenario.name}.json`);
        const children = (history.events ?? []).flatMap((e) => e.startChildWorkflowExecutionInitiatedEventAttributes?.workflowId ?? []);
        if (children.length !== (scenario.children ?? 0)) throw new Error(`${scenario.name} started ${children.length} child run(s), not ${scenario.children ?? 0}`);
        for (const [index, child] of children.entries()) await record(child, childFile(scenario.name, index));
      }
    } finally {
      await stack.stop();
    }
  } finally {
    await temporal.stop();
    await postgres.stop?.();
    await rm(workDir, { recursive: true, force: true });
  }
}

main().catch((err) => {
  console.error(err);
  process.exit(1);
});
