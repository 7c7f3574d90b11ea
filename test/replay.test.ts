import { existsSync, readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { Worker } from '@temporalio/worker';
import { historyFromJSON } from '@temporalio/common/lib/proto-utils';
import { EARLIER_GENERATIONS, HISTORIES_DIR, recordedFiles } from './replay/generations';
import { RECORDED_SCENARIOS } from './replay/scenarios';
import { installTestRuntime } from './support/worker-logs';

const jsonFiles = (dir: string) => (existsSync(dir) ? readdirSync(dir).filter((f) => f.endsWith('.json')).sort() : []);

describe('recorded histories replay against the current workflow code', () => {
  const files = jsonFiles(HISTORIES_DIR);

  it('has a recorded history for every scenario (re-record with npm run histories:record)', () => {
    expect(files).toEqual(recordedFiles(RECORDED_SCENARIOS));
  });

  it.each(files)('%s replays without non-determinism', (file) => replay(path.join(HISTORIES_DIR, file)));
});

/** Histories recorded by earlier workflow code: runs still open when it changed must go on replaying. */
describe.each(EARLIER_GENERATIONS)('histories of runs started before $before', (generation) => {
  const dir = path.join(HISTORIES_DIR, generation.folder);
  const files = jsonFiles(dir);

  it('are all kept', () => {
    expect(files).toEqual(recordedFiles(generation.scenarios));
  });

  it.each(files)('%s replays without non-determinism', (file) => replay(path.join(dir, file)));
});

async function replay(file: string): Promise<void> {
  installTestRuntime();
  const recorded = JSON.parse(readFileSync(file, 'utf8')) as { workflowId: string; history: unknown };
  const history = historyFromJSON(recorded.history);
  await Worker.runReplayHistory({ workflowBundle: { codePath: process.env.TEST_WORKFLOW_BUNDLE! }, replayName: path.basename(file) }, history, recorded.workflowId);
}
