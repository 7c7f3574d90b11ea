import {
  ActivityFailure,
  ApplicationFailure,
  CancellationScope,
  ChildWorkflowFailure,
  getExternalWorkflowHandle,
  isCancellation,
  patched,
  proxyActivities,
  proxyLocalActivities,
  setHandler,
  upsertSearchAttributes,
  workflowInfo,
} from '@temporalio/workflow';
import type { Activities } from '../worker/activities';
import type { MessageContext, PipelineFunction } from './definition';
import { FAILURE_TYPES } from './failure-types';
import { DATABASE_STEP_OPTIONS, LOCAL_RETRY_THRESHOLD, PROVIDER_STEP_OPTIONS } from './step-options';
import { AI_PHASE, AI_STATE } from './search-attributes';
import type { PreparedRequest, RunInput, RunOutcome } from './run-io';
import type { ItemOutcome, ProgressMeta, TaskResult } from './progress';
import type { LiveProgressEvent } from './live-progress';
import { ProgressState } from './progress-state';
import { stateOfStatus } from './run-status';
import { ITEMS_SIDE_BY_SIDE_PATCH, runPipeline } from './run-pipeline';
import { childProgressSignal, taskProgressQuery, type ChildProgress } from './messages';

/**
 * Database steps: short, safe to redo, retried until the database answers again (a PostgreSQL
 * outage must delay a run, not fail it).
 */
const databaseSteps = proxyActivities<Activities>(DATABASE_STEP_OPTIONS);

const providerSteps = proxyActivities<Activities>(PROVIDER_STEP_OPTIONS);

/** The completion of the run record happens even when the run was cancelled. */
const RUN_RECORD_OPTIONS = {
  startToCloseTimeout: '15 seconds',
  retry: { initialInterval: '1 second', backoffCoefficient: 2, maximumInterval: '30 seconds' },
} as const;

const runRecordSteps = proxyActivities<Activities>(RUN_RECORD_OPTIONS);

export type RunRecordSteps = Pick<Activities, 'completeRunRecord'>;

/**
 * The same database steps as local activities: run by the worker that runs the workflow, with no
 * task queue round trip and no history events of their own (one marker each), so a run's steps
 * before and after the AI call each take one workflow task. Redoing one is cheap and safe (reads,
 * and saves that record their outcome in the same transaction). A worker that dies during one is
 * noticed at the workflow task timeout (10 s), and the next worker runs the step again.
 */
const localDatabaseSteps = proxyLocalActivities<Activities>({ ...DATABASE_STEP_OPTIONS, localRetryThreshold: LOCAL_RETRY_THRESHOLD });

export const localRunRecordSteps = proxyLocalActivities<Activities>({ ...RUN_RECORD_OPTIONS, localRetryThreshold: LOCAL_RETRY_THRESHOLD });

/** Runs started before database steps became local activities replay with regular ones. */
export const LOCAL_DATABASE_STEPS_PATCH = 'local-database-steps';

/**
 * Live progress: a local activity runs in the worker beside the workflow, with no task
 * queue round trip, and leaves one marker in history. Short, few attempts: a change that cannot be
 * published is carried by the next one, and never fails the run.
 */
const liveProgressSteps = proxyLocalActivities<Activities>({
  startToCloseTimeout: '5 seconds',
  scheduleToCloseTimeout: '15 seconds',
  retry: { initialInterval: '200 milliseconds', backoffCoefficient: 2, maximumAttempts: 3 },
});

/** Publishes even while the run is being cancelled, so listeners see how it ended. */
export async function publishLive(event: LiveProgressEvent): Promise<boolean> {
  try {
    await CancellationScope.nonCancellable(() => liveProgressSteps.publishProgress(event));
    return true;
  } catch {
    return false;
  }
}

/**
 * The one pipeline every AI function runs: INIT → PREP → AI_CALL → PARSE → SAVE → DONE.
 * Progress lives in workflow state and is answered by the `taskProgress` query.
 */
export async function runAIFunction(definition: PipelineFunction, input: RunInput): Promise<TaskResult> {
  if (patched(ITEMS_SIDE_BY_SIDE_PATCH)) return runPipeline(definition, input);
  const parent = workflowInfo().parent;
  let toldParent: Promise<void> = Promise.resolve();
  const progress = new ProgressState((update) => {
    if (parent) toldParent = tellParent(parent.workflowId, { child: definition.name, update });
    return publishLive({ taskId: input.taskId, event: 'progress', update });
  });
  setHandler(taskProgressQuery, () => progress.snapshot());

  const local = patched(LOCAL_DATABASE_STEPS_PATCH);
  const steps = local ? localDatabaseSteps : databaseSteps;
  const recordSteps = local ? localRunRecordSteps : runRecordSteps;
  const validate = steps[definition.activities.validate];
  const prepare = steps[definition.activities.prepare];
  const parse = steps[definition.activities.parse];
  const save = steps[definition.activities.save];
  const callProvider = providerSteps[definition.activities.call];
  const say = (phase: keyof typeof definition.messages, ctx: Partial<MessageContext> = {}) =>
    definition.messages[phase]({ names: [], count: 0, ...ctx });

  /** Moves to a phase; `message` is left out where the phase's message needs what its step finds. */
  const enterPhase = (phase: Parameters<ProgressState['enter']>[0], message?: string) => {
    progress.enter(phase, message);
    upsertSearchAttributes([{ key: AI_PHASE, value: phase }]);
  };

  try {
    upsertSearchAttributes([{ key: AI_STATE, value: 'PROGRESS' }]);
    enterPhase('INIT', say('INIT'));
    const validated = await progress.step('request', 'Validate input', () => validate(input), (v) => say('INIT', { names: v.names, count: v.count }));

    enterPhase('PREP', say('PREP', { count: validated.count }));
    const prepared = await progress.step('request', 'Build prompt', () => prepare(input), (p) => say('PREP', { count: p.count }));

    const items = prepared.requests;
    const outcomes = new Map<string, ItemOutcome>();
    const failItem = (request: PreparedRequest, err: unknown) => {
      // A cancelled run is not a failed item: the whole run ends REVOKED.
      if (definition.requestsPer === 'batch' || isCancellation(err)) throw err;
      outcomes.set(request.itemKey, { id: request.itemId ?? request.itemKey, status: 'failed', error: failureMessage(err) });
    };
    const pending = () => items.filter((r) => !outcomes.has(r.itemKey));

    enterPhase('AI_CALL', say('AI_CALL'));
    for (const [index, request] of items.entries()) {
      progress.setItem(index + 1, items.length, request.label);
      try {
        const usage = await progress.step('request', `AI request: ${request.label}`, () =>
          callProvider({ taskId: input.taskId, itemKey: request.itemKey, accountId: input.accountId }),
        );
        progress.addUsage(usage.cost, usage.inputTokens + usage.outputTokens);
        progress.advance('AI_CALL', index + 1, items.length);
      } catch (err) {
        failItem(request, err);
      }
    }

    enterPhase('PARSE');
    let parsedCount = 0;
    const toParse = pending();
    for (const [index, request] of toParse.entries()) {
      try {
        const parsed = await progress.step(
          'response',
          `Parse answer: ${request.label}`,
          () => parse({ taskId: input.taskId, itemKey: request.itemKey, accountId: input.accountId }),
          (p) => say('PARSE', { count: parsedCount + p.count }),
        );
        parsedCount += parsed.count;
        progress.advance('PARSE', index + 1, toParse.length);
      } catch (err) {
        failItem(request, err);
      }
    }

    enterPhase('SAVE', say('SAVE', { count: parsedCount }));
    const counters: Record<string, number> = {};
    let savedCount = 0;
    const toSave = pending();
    for (const [index, request] of toSave.entries()) {
      progress.setItem(index + 1, toSave.length, request.label);
      try {
        const saved = await progress.step('response', `Save: ${request.label}`, () => save(input, request));
        for (const [name, value] of Object.entries(saved.counters)) counters[name] = (counters[name] ?? 0) + value;
        savedCount += saved.count;
        outcomes.set(request.itemKey, { id: request.itemId ?? request.itemKey, status: 'success' });
        progress.advance('SAVE', index + 1, toSave.length);
      } catch (err) {
        failItem(request, err);
      }
    }

    const itemOutcomes = items.map((r) => outcomes.get(r.itemKey)).filter((o): o is ItemOutcome => o !== undefined);
    if (definition.requestsPer === 'item' && !itemOutcomes.some((o) => o.status === 'success')) {
      const firstError = itemOutcomes.find((o) => o.error)?.error ?? 'no item succeeded';
      throw ApplicationFailure.nonRetryable(`Every item failed; the first: ${firstError}`, FAILURE_TYPES.modelOutput);
    }

    enterPhase('DONE', say('DONE'));
    const result: TaskResult = { count: savedCount, ...counters, items: itemOutcomes };
    // The record is completed before the query can report the end: a poller that sees SUCCESS
    // finds the run record (and the rows) complete.
    await finish(recordSteps, progress, input, { status: 'success', result });
    progress.succeed(result);
    // A parent composing its progress hears the last change before it hears the run has ended.
    await toldParent;
    return result;
  } catch (err) {
    return endWithError(recordSteps, progress, input, err, () => toldParent);
  }
}

/**
 * Ends a run that threw: REVOKED when it was cancelled (rethrowing the cancellation), else FAILURE
 * with the innermost failure's message, non-retryably. The run record is completed either way.
 */
/** How a run takes turns for its local activities (see oneAtATime); the pipeline before it did not. */
type Turns = <T>(step: () => Promise<T>) => Promise<T>;

export async function endWithError(
  recordSteps: RunRecordSteps,
  progress: ProgressState,
  input: RunInput,
  err: unknown,
  lastWord: () => Promise<void> = async () => undefined,
  inTurn: Turns = (step) => step(),
): Promise<never> {
  if (isCancellation(err)) {
    await CancellationScope.nonCancellable(async () => {
      await finish(recordSteps, progress, input, { status: 'revoked' }, inTurn);
      await lastWord();
    });
    progress.revoke();
    throw err;
  }
  const message = failureMessage(err);
  await finish(recordSteps, progress, input, { status: 'error', error: message }, inTurn);
  await lastWord();
  progress.fail(message);
  throw ApplicationFailure.nonRetryable(message, failureType(err));
}

export async function finish(
  recordSteps: RunRecordSteps,
  progress: ProgressState,
  input: RunInput,
  end: { status: RunOutcome['status']; result?: TaskResult; error?: string },
  inTurn: Turns = (step) => step(),
): Promise<void> {
  const { meta } = progress.snapshot();
  upsertSearchAttributes([{ key: AI_STATE, value: stateOfStatus(end.status) }]);
  await progress.publish();
  await inTurn(() => recordSteps.completeRunRecord(runOutcome(input.taskId, end, meta)));
  // The `done` event is the completed record's polling answer.
  await inTurn(() => publishLive({ taskId: input.taskId, event: 'done' }));
}

/** How the run ended, as its record keeps it: the end and the progress it had reached. */
export function runOutcome(taskId: string, end: { status: RunOutcome['status']; result?: TaskResult; error?: string }, meta: ProgressMeta): RunOutcome {
  return {
    taskId,
    status: end.status,
    phase: meta.phase,
    percentage: meta.percentage,
    message: meta.message,
    durationMs: Date.now() - workflowInfo().runStartTime.getTime(),
    cost: meta.cost,
    tokens: meta.tokens,
    requestSteps: meta.request_steps,
    responseSteps: meta.response_steps,
    result: end.result,
    error: end.error,
  };
}

/**
 * A child run's progress to its parent, which composes its own from its children's. Awaited only
 * at the end: the run goes on meanwhile, and a change that is lost is carried by the next.
 */
export function tellParent(parentId: string, progress: ChildProgress): Promise<void> {
  return CancellationScope.nonCancellable(() => getExternalWorkflowHandle(parentId).signal(childProgressSignal, progress)).catch(() => undefined);
}

/** The innermost failure: what the activity or child run said, not Temporal's wrapping. */
function innermost(err: unknown): unknown {
  let current: unknown = err;
  while ((current instanceof ActivityFailure || current instanceof ChildWorkflowFailure) && current.cause) current = current.cause;
  return current;
}

/** The innermost failure's message. */
export function failureMessage(err: unknown): string {
  const current = innermost(err);
  return current instanceof Error ? current.message : String(current);
}

export function failureType(err: unknown): string {
  const current = innermost(err);
  return current instanceof ApplicationFailure && current.type ? current.type : 'TaskFailed';
}
