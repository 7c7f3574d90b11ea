import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { Worker } from '@temporalio/worker';
import { historyFromJSON } from '@temporalio/common/lib/proto-utils';
import { RECORDED_SCENARIOS } from './replay/scenarios';

const dir = path.join(__dirname, 'replay', 'histories');
const files = readdirSync(dir).filter((f) => f.endsWith('.json')).sort();

describe('recorded histories replay against the current workflow code', () => {
  it('has a recorded history for every scenario (re-record with npm run histories:record)', () => {
    expect(files).toEqual(RECORDED_SCENARIOS.map((s) => `${s.name}.json`).sort());
  });

  it.each(files)('%s replays without non-determinism', (file) => replay(path.join(dir, file)));
});

/** Histories recorded by earlier workflow code: runs still open when it changed must go on replaying. */
const earlierDir = path.join(dir, 'regular-database-steps');
const earlierFiles = readdirSync(earlierDir).filter((f) => f.endsWith('.json')).sort();

describe('histories of runs started before the database steps became local activities', () => {
  it('are all kept', () => {
    expect(earlierFiles).toEqual(RECORDED_SCENARIOS.map((s) => `${s.name}.json`).sort());
  });

  it.each(earlierFiles)('%s replays without non-determinism', (file) => replay(path.join(earlierDir, file)));
});

async function replay(file: string): Promise<void> {
  const recorded = JSON.parse(readFileSync(file, 'utf8')) as { workflowId: string; history: unknown };
  const history = historyFromJSON(recorded.history);
  await Worker.runReplayHistory({ workflowBundle: { codePath: process.env.TEST_WORKFLOW_BUNDLE! }, replayName: path.basename(file) }, history, recorded.workflowId);
}
