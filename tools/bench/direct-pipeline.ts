import { MockActivityEnvironment } from '@temporalio/testing';
import type { ActivityDeps } from '../../activities';
import type { CallAdmission } from '../../activities/run-steps';
import { createActivities, type Activities } from '../../worker/activities';
import { bindProviderHosts } from '../../activities/provider-host-scope';
import type { PipelineFunction } from '../../pipeline/definition';
import { oneAtATime } from '../../pipeline/one-at-a-time';
import type { ItemOutcome, TaskResult } from '../../pipeline/progress';
import type { CompletionUsage, RunInput } from '../../pipeline/run-io';
import { RunProgress } from '../../pipeline/run-progress';
import type { FinalRunStatus } from '../../pipeline/run-status';

/** How often a call waiting for a slot asks again (the workflow is told instead, by a signal). */
const SLOT_RECHECK_MS = 50;

/**
 * The peers' pipeline: the steps the workflow runs (the same activities: INIT and PREP in one step
 * with credits reserved and slots taken, each item's provider call, each item's parse and save with
 * its charge, the run record completed), with the same database work, live-progress rows
 * (`task_events`, the run record's phase) included, called in this process with no durable
 * execution around them: items side by side, the database steps of a run one at a time, as in the
 * workflow. `report` receives each phase change, the progress a queue would publish.
 */
export function createDirectPipeline(deps: ActivityDeps) {
  const created = createActivities(deps);
  // As the worker does: the operator's provider hosts around every activity.
  const activities = (deps.providerHosts ? bindProviderHosts(created, deps.providerHosts) : created) as Activities;

  return async function runDirect(
    definition: PipelineFunction,
    input: RunInput,
    report: (phase: string, percentage: number) => Promise<unknown> = async () => undefined,
  ): Promise<{ count: number; status: FinalRunStatus }> {
    const started = Date.now();
    const inTurn = oneAtATime();
    const progress = new RunProgress(definition);
    // task_events rows are numbered per run; a direct run is one run.
    const runId = `direct-${input.taskId}`;
    const at = (snapshots: number) => ({ runId, progress: progress.reserveSeq(snapshots) });
    let reported = '';
    const told = async () => {
      const { phase, percentage } = progress.snapshot().meta;
      if (phase === reported) return;
      reported = phase;
      await report(phase, percentage);
    };
    // Steps read their heartbeat and cancellation from an activity context.
    const step = <A extends unknown[], R>(fn: (...args: A) => Promise<R>, ...args: A): Promise<R> =>
      new MockActivityEnvironment({ attempt: 1 }).run(fn as (...a: unknown[]) => Promise<R>, ...args);

    const complete = async (status: FinalRunStatus, end: { result?: TaskResult; error?: string }) => {
      const { credits } = await inTurn(() => {
        const published = progress.latest();
        const { meta } = published.progress;
        return step(activities.completeRun, {
          taskId: input.taskId,
          status,
          phase: meta.phase,
          percentage: meta.percentage,
          message: meta.message,
          durationMs: Date.now() - started,
          cost: meta.cost,
          tokens: meta.tokens,
          requestSteps: meta.request_steps,
          responseSteps: meta.response_steps,
          result: end.result,
          error: end.error,
        }, { runId, progress: published });
      });
      progress.chargedInAll(credits);
    };

    try {
      progress.start(input.ids.length);
      await told();
      const run = await inTurn(() => step(activities.startRun, input, at(3)));
      progress.validated(run.names, run.count, run.validateMs);
      progress.prepared(run.count, run.requests.map((r) => r.label), run.prepareMs);
      await told();

      const slotFor = async (itemKey: string, first: CallAdmission) => {
        let admission = first;
        while (!('granted' in admission && admission.granted)) {
          if ('position' in admission) progress.waiting(admission.position);
          await new Promise((r) => setTimeout(r, SLOT_RECHECK_MS));
          const again = await inTurn(() => step(activities.admitWaitingCalls, input, [itemKey], at(1)));
          admission = again.admissions[itemKey] ?? { granted: true };
        }
      };

      const runItem = async (index: number, first: CallAdmission): Promise<{ outcome: ItemOutcome; counters?: Record<string, number>; count?: number }> => {
        let request = run.requests[index];
        const id = request.itemId ?? request.itemKey;
        if ('refused' in first) {
          progress.itemFailed(index, 'call', first.refused);
          if (definition.requestsPer === 'batch') throw new Error(first.refused);
          return { outcome: { id, status: 'failed', error: first.refused } };
        }
        await slotFor(request.itemKey, first);
        progress.calling(index);
        await told();
        let reask = 0;
        for (;;) {
          let callFailed: string | undefined;
          try {
            const call = activities[definition.activities.call] as (ref: unknown) => Promise<CompletionUsage>;
            const usage = await step(call, { taskId: input.taskId, itemKey: request.itemKey, accountId: input.accountId, slotted: true });
            const used = { cost: usage.cost, tokens: usage.inputTokens + usage.outputTokens };
            if (reask === 0) progress.called(index, used);
            else progress.reasked(index, reask, { usage: used });
          } catch (err) {
            callFailed = messageOf(err);
            if (reask > 0) progress.reasked(index, reask, { error: callFailed });
          }
          const current = request;
          const finished = await inTurn(() => step(activities.finishItem, input, { index, request: current }, callFailed === undefined ? {} : { failed: callFailed }, at(2)));
          if (callFailed !== undefined && definition.requestsPer === 'batch') throw new Error(callFailed);
          if (finished.reask) {
            reask = finished.reask.number;
            request = finished.reask.request;
            progress.reasking(index, reask, finished.failed?.message ?? 'the answer could not be used');
            await slotFor(request.itemKey, finished.reask.admission);
            continue;
          }
          if (finished.failed) {
            progress.itemFailed(index, finished.failed.stage, finished.failed.message);
            if (definition.requestsPer === 'batch') throw new Error(finished.failed.message);
            return { outcome: { id, status: 'failed', error: finished.failed.message } };
          }
          progress.parsed(index, finished.parse!.count, finished.parse!.ms);
          progress.charged(finished.save!.credits);
          progress.saved(index, finished.save!.ms);
          await told();
          return { outcome: { id, status: 'success' }, counters: finished.save!.counters, count: finished.save!.count };
        }
      };

      const items = await Promise.all(run.requests.map((request, index) => runItem(index, run.admissions[request.itemKey] ?? { granted: true })));
      const outcomes = items.map((item) => item.outcome);
      if (definition.requestsPer === 'item' && !outcomes.some((o) => o.status === 'success')) {
        throw new Error(`Every item failed; the first: ${outcomes.find((o) => o.error)?.error ?? 'no item succeeded'}`);
      }
      progress.finishing();
      const counters: Record<string, number> = {};
      for (const item of items) for (const [name, value] of Object.entries(item.counters ?? {})) counters[name] = (counters[name] ?? 0) + value;
      const result: TaskResult = { count: items.reduce((sum, item) => sum + (item.count ?? 0), 0), ...counters, items: outcomes };
      await complete('success', { result });
      progress.succeed(result);
      await told();
      return { count: result.count, status: 'success' };
    } catch (err) {
      const message = messageOf(err);
      progress.fail(message);
      await complete('error', { error: message });
      return { count: 0, status: 'error' };
    }
  };
}

function messageOf(err: unknown): string {
  let current: unknown = err;
  while (current instanceof Error && current.cause instanceof Error) current = current.cause;
  return current instanceof Error ? current.message : String(current);
}

export type DirectPipeline = ReturnType<typeof createDirectPipeline>;
