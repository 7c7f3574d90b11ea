import {
  ApplicationFailure,
  CancellationScope,
  condition,
  getExternalWorkflowHandle,
  isCancellation,
  patched,
  proxyActivities,
  proxyLocalActivities,
  setCurrentDetails,
  setHandler,
  upsertSearchAttributes,
  workflowInfo,
} from '@temporalio/workflow';
import type { Activities } from '../worker/activities';
import type { CallAdmission, ProgressAtStep, StartedRun } from '../activities/run-steps';
import type { GrantedCall } from '../activities/ai-call-slots';
import type { PipelineFunction } from './definition';
import { FAILURE_TYPES } from './failure-types';
import { aiCallSlotSignal, taskProgressQuery } from './messages';
import type { ItemOutcome, TaskResult } from './progress';
import { failureMessage, failureType, runOutcome, tellParent } from './run-ai-function';
import type { RunInput } from './run-io';
import { oneAtATime } from './one-at-a-time';
import { RunProgress } from './run-progress';
import { AI_PHASE, AI_STATE } from './search-attributes';
import { DATABASE_STEP_OPTIONS, LOCAL_RETRY_THRESHOLD, PROVIDER_STEP_OPTIONS } from './step-options';
import { stateOfStatus, type FinalRunStatus } from './run-status';

/** Runs started before the items of a run ran side by side replay with the pipeline before it. */
export const ITEMS_SIDE_BY_SIDE_PATCH = 'items-side-by-side';
/** Runs of the side-by-side pipeline from before corrective re-asks fail an item at its first unusable answer. */
export const PARSE_REASKS_PATCH = 'parse-reasks';
/** Runs from before a run waited for its slot grants to be delivered end without waiting. */
export const WAKE_DELIVERED_PATCH = 'wake-delivered';

const steps = proxyLocalActivities<Activities>({ ...DATABASE_STEP_OPTIONS, localRetryThreshold: LOCAL_RETRY_THRESHOLD });
const providerSteps = proxyActivities<Activities>(PROVIDER_STEP_OPTIONS);

/** How long a call waiting for a slot waits for word before it asks again (a lost signal costs this much). */
const WAITING_RECHECK = '15 seconds';

interface ItemRun {
  outcome: ItemOutcome;
  counters?: Record<string, number>;
  count?: number;
}

/**
 * The pipeline every AI function runs: INIT and PREP in one step, then each item's AI call side by
 * side with the others as the account's slots allow (waiting its turn in the workflow, never in an
 * activity), each item going on to parse and save as soon as its own answer is in, then DONE.
 * Progress lives in workflow state (the `taskProgress` query) and every step publishes it to the
 * live stream as it starts.
 */
export async function runPipeline(definition: PipelineFunction, input: RunInput): Promise<TaskResult> {
  const inTurn = oneAtATime();
  const progress = new RunProgress(definition);
  setHandler(taskProgressQuery, () => progress.snapshot());
  const told = new Set<string>();
  setHandler(aiCallSlotSignal, ({ itemKey }) => void told.add(itemKey));
  const { runId, parent } = workflowInfo();
  let toldParent: Promise<void> = Promise.resolve();
  let toldParentSeq = 0;

  /**
   * The progress a step starts with, `snapshots` numbers reserved for what it publishes; a parent
   * composing its progress hears it too, and the Web UI shows it as the run's current details.
   */
  const at = (snapshots: number): ProgressAtStep => {
    shown();
    return { runId, progress: progress.reserveSeq(snapshots) };
  };
  /** The progress now, shown as the run's current details and told to a composing parent. */
  const shown = () => {
    const now = progress.snapshot();
    setCurrentDetails(`${now.meta.phase} ${now.meta.percentage}% · ${now.meta.message}`);
    if (parent) toldParent = tellParent(parent.workflowId, { child: definition.name, progress: now, seq: ++toldParentSeq });
  };

  /** Word sent to other runs that their calls may go: a run ends only once it is delivered (see `delivered`). */
  const wakes: Promise<void>[] = [];
  /** Tells the runs whose calls were just granted a slot to go on (this run's own items directly). */
  const letGo = (granted: GrantedCall[]) => {
    for (const call of granted) {
      if (call.taskId === input.taskId) told.add(call.itemKey);
      else wakes.push(CancellationScope.nonCancellable(() => getExternalWorkflowHandle(call.taskId).signal(aiCallSlotSignal, { itemKey: call.itemKey })).catch(() => undefined));
    }
  };
  /**
   * Temporal drops a signal to another run when the sending run has closed before the signal went
   * out: word sent in the run's last workflow task would be lost, and the runs granted a slot by its
   * last steps would wait for their next check. The run stays open until its word is delivered.
   */
  const delivered = async () => {
    if (wakes.length && patched(WAKE_DELIVERED_PATCH)) await Promise.all(wakes);
  };

  try {
    upsertSearchAttributes([{ key: AI_STATE, value: 'PROGRESS' }]);
    progress.start(input.ids.length);
    let started: StartedRun;
    try {
      // The step publishes INIT, PREP and the first calls' start itself.
      started = await inTurn(() => steps.startRun(input, at(3)));
    } catch (err) {
      progress.fail(failureMessage(err), 'validate');
      throw err;
    }
    progress.validated(started.names, started.count, started.validateMs);
    progress.prepared(started.count, started.requests.map((r) => r.label), started.prepareMs);
    letGo(started.granted);

    let waiting = 0;
    let calledBefore = false;
    /** Waits in the workflow until the call has a slot: told by the step that freed one, or asking again now and then. */
    const slotFor = async (itemKey: string, first: Exclude<CallAdmission, { refused: string }>) => {
      let admission = first;
      if (!admission.granted) waiting++;
      while (!admission.granted) {
        progress.waiting(admission.position);
        shown();
        await condition(() => told.has(itemKey), WAITING_RECHECK);
        told.delete(itemKey);
        const again = await inTurn(() => steps.admitWaitingCalls(input, [itemKey], at(1)));
        letGo(again.granted);
        const next = again.admissions[itemKey];
        admission = next && 'position' in next ? next : { granted: true };
        if (admission.granted) waiting--;
        if (waiting === 0) progress.noneWaiting();
      }
    };

    const runItem = async (index: number, first: CallAdmission): Promise<ItemRun> => {
      let request = started.requests[index];
      const id = request.itemId ?? request.itemKey;
      if ('refused' in first) {
        progress.itemFailed(index, 'call', first.refused);
        if (definition.requestsPer === 'batch') throw ApplicationFailure.nonRetryable(first.refused, FAILURE_TYPES.insufficientCredits);
        return { outcome: { id, status: 'failed', error: first.refused } };
      }
      // Its credits are reserved: from here on it only waits for a slot, or has one (then it goes
      // on in the same turn: no await in between, so its commands keep their order).
      if (!first.granted) await slotFor(request.itemKey, first);

      // The phase the Web UI lists a run by while its calls run (the others pass within a step).
      if (!calledBefore) upsertSearchAttributes([{ key: AI_PHASE, value: 'AI_CALL' }]);
      calledBefore = true;
      progress.calling(index);
      // No step publishes while the call runs: its start is shown now.
      shown();
      /** The re-ask being made (0: the item's first call). */
      let reask = 0;
      for (;;) {
        let callFailed: string | undefined;
        try {
          const usage = await providerSteps[definition.activities.call]({ taskId: input.taskId, itemKey: request.itemKey, accountId: input.accountId, slotted: true });
          const used = { cost: usage.cost, tokens: usage.inputTokens + usage.outputTokens };
          if (reask === 0) progress.called(index, used);
          else progress.reasked(index, reask, { usage: used });
        } catch (err) {
          if (isCancellation(err)) throw err;
          callFailed = failureMessage(err);
          if (reask > 0) progress.reasked(index, reask, { error: callFailed });
          if (definition.requestsPer === 'batch') {
            const current = request;
            await inTurn(() => steps.finishItem(input, { index, request: current }, { failed: callFailed! }, at(2)));
            throw err;
          }
        }
        const current = request;
        const finished = await inTurn(() => steps.finishItem(input, { index, request: current }, callFailed === undefined ? {} : { failed: callFailed }, at(2)));
        letGo(finished.granted);
        // An answer that is not what was asked for: the model is asked again, a call of its own.
        if (finished.reask && patched(PARSE_REASKS_PATCH)) {
          reask = finished.reask.number;
          request = finished.reask.request;
          progress.reasking(index, reask, finished.failed?.message ?? 'the answer could not be used');
          shown();
          const admission = finished.reask.admission as Exclude<CallAdmission, { refused: string }>;
          if (!admission.granted) await slotFor(request.itemKey, admission);
          continue;
        }
        if (finished.failed) {
          progress.itemFailed(index, finished.failed.stage, finished.failed.message);
          if (definition.requestsPer === 'batch') throw ApplicationFailure.nonRetryable(finished.failed.message, finished.failed.type ?? FAILURE_TYPES.modelOutput);
          return { outcome: { id, status: 'failed', error: finished.failed.message } };
        }
        progress.parsed(index, finished.parse!.count, finished.parse!.ms);
        progress.charged(finished.save!.credits);
        progress.saved(index, finished.save!.ms);
        return { outcome: { id, status: 'success' }, counters: finished.save!.counters, count: finished.save!.count };
      }
    };

    const items = await Promise.all(started.requests.map((request, index) => runItem(index, started.admissions[request.itemKey] ?? { granted: true })));
    const outcomes = items.map((item) => item.outcome);
    if (definition.requestsPer === 'item' && !outcomes.some((o) => o.status === 'success')) {
      const firstError = outcomes.find((o) => o.error)?.error ?? 'no item succeeded';
      const refusedOnly = outcomes.every((o) => o.error?.startsWith('Insufficient credits'));
      throw ApplicationFailure.nonRetryable(`Every item failed; the first: ${firstError}`, refusedOnly ? FAILURE_TYPES.insufficientCredits : FAILURE_TYPES.modelOutput);
    }

    progress.finishing();
    const counters: Record<string, number> = {};
    for (const item of items) for (const [name, value] of Object.entries(item.counters ?? {})) counters[name] = (counters[name] ?? 0) + value;
    const result: TaskResult = { count: items.reduce((sum, item) => sum + (item.count ?? 0), 0), ...counters, items: outcomes };
    // The record is completed before the query can report the end: a poller that sees SUCCESS
    // finds the run record (and the rows) complete.
    await complete('success', { result });
    progress.succeed(result);
    await toldParent;
    await delivered();
    return result;
  } catch (err) {
    if (isCancellation(err)) {
      await CancellationScope.nonCancellable(async () => {
        await complete('revoked', {});
        await toldParent;
        await delivered();
      });
      progress.revoke();
      throw err;
    }
    const message = failureMessage(err);
    progress.fail(message);
    await complete('error', { error: message });
    await toldParent;
    await delivered();
    throw ApplicationFailure.nonRetryable(message, failureType(err));
  }

  /** Completes the record (and gives back what the run holds); the end is visible in the Web UI at once. */
  async function complete(status: FinalRunStatus, end: { result?: TaskResult; error?: string }): Promise<void> {
    // Its progress is taken when its turn comes: what steps still queued publish comes before it.
    const { granted, credits } = await inTurn(() => {
      const published = progress.latest();
      const { meta } = published.progress;
      upsertSearchAttributes([
        { key: AI_PHASE, value: meta.phase },
        { key: AI_STATE, value: stateOfStatus(status) },
      ]);
      setCurrentDetails(`${stateOfStatus(status)} · ${meta.phase} ${meta.percentage}% · ${end.error ?? meta.message}`);
      if (parent) toldParent = tellParent(parent.workflowId, { child: definition.name, progress: published.progress, seq: ++toldParentSeq });
      return steps.completeRun(runOutcome(input.taskId, { status, ...end }, meta), { runId, progress: published });
    });
    progress.chargedInAll(credits);
    letGo(granted);
  }
}
