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

  it.each(files)('%s replays without non-determinism', async (file) => {
    const recorded = JSON.parse(readFileSync(path.join(dir, file), 'utf8')) as { workflowId: string; history: unknown };
    const history = historyFromJSON(recorded.history);
    await Worker.runReplayHistory({ workflowBundle: { codePath: process.env.TEST_WORKFLOW_BUNDLE! }, replayName: file }, history, recorded.workflowId);
  });
});
