import { ApplicationFailure } from '@temporalio/common';
import type { PipelineFunction } from '../pipeline/definition';
import { progressFromRecord, RECORDED_RUN_FIELDS } from '../pipeline/live-progress';
import { RunProgress, type PublishedProgress, type RunProgressData } from '../pipeline/run-progress';
import type { CompletionRef, PreparedRequest, RunInput, RunOutcome, SavedOutput } from '../pipeline/run-io';
import { admitCalls, releaseCalls, type GrantedCall, type SlotPolicy, DEFAULT_SLOT_POLICY } from './ai-call-slots';
import { saveOnce } from './ai-requests';
import { chargeItem, chargeRunMinimum, creditsToReserve, creditState, insufficientCredits, releaseReservations, reserveCredits } from './credits';
import type { ActivityDeps } from './deps';
import { insufficientCreditsError } from './failures';
import { loadOwned, parseAnswer, storeRequests, type FunctionSteps } from './function-steps';
import { publishSnapshot } from './live-progress';
import { resolvePrompt } from './prompts';
import { markRunStarted, recordEnd } from './run-record';
import { promptOf } from '../pipeline/definition';
import { FAILURE_TYPES } from '../pipeline/failure-types';
import { conversationOf, correctionPrompt, reaskKey, reaskOf } from './reasks';
import { storePreparedRequest } from './ai-requests';

/** Corrective re-asks of an item unless the worker is told otherwise (AI_PARSE_REASKS). */
const DEFAULT_PARSE_REASKS = 1;

/** Each pipeline function's definition and own steps, by function name (handed in by the worker). */
export type FunctionRegistry = Record<string, { definition: PipelineFunction; steps: FunctionSteps<any, any> }>;

/**
 * The run's progress as a step starts (and whose run): the step publishes it to the live stream,
 * and what changes within the step (a phase passed inside it) with the numbers reserved for it.
 */
export interface ProgressAtStep {
  runId: string;
  progress: RunProgressData;
}

/** A call's admission: it may start, it waits its turn (1 = next), or the account cannot pay for it. */
export type CallAdmission = { granted: true } | { granted: false; position: number } | { refused: string };

export interface StartedRun {
  names: string[];
  count: number;
  validateMs: number;
  prepareMs: number;
  requests: PreparedRequest[];
  admissions: Record<string, CallAdmission>;
  /** Calls of any task granted a slot by this step: their runs are told to go on. */
  granted: GrantedCall[];
}

export interface FinishedItem {
  parse?: { count: number; ms: number };
  save?: SavedOutput & { ms: number; credits: number };
  /** Why the item failed for good (at `stage`): the other items go on. */
  failed?: { stage: 'call' | 'parse' | 'save'; message: string; type?: string };
  /**
   * The answer could not be parsed and the model is asked again: the re-ask's request, stored,
   * its credits reserved and its slot asked for. Without it (or when the run does not re-ask), `failed` stands.
   */
  reask?: { request: PreparedRequest; number: number; admission: CallAdmission };
  granted: GrantedCall[];
}

/**
 * The shared steps of the pipeline: each does its work and, first, stores the progress the run has
 * as it starts (the live stream's rows come from the steps themselves, with no step of their own).
 */
export function createRunSteps(deps: ActivityDeps, functions: FunctionRegistry) {
  const { prisma } = deps;
  const slots: SlotPolicy = deps.slots ?? DEFAULT_SLOT_POLICY;
  const entryOf = (functionName: string) => {
    const entry = functions[functionName];
    if (!entry) throw ApplicationFailure.nonRetryable(`Unknown AI function '${functionName}'.`, 'InvalidInputError');
    return entry;
  };
  const publish = async (taskId: string, runId: string, progress: RunProgress) =>
    publishSnapshot(prisma, taskId, { runId, ...progress.latest() });

  /**
   * INIT and PREP in one step: the run is started, its rows and settings checked (and the account
   * has credits), then its prompts are built and stored and each call is admitted: credits reserved
   * and a slot taken or a place in line. Publishes INIT as it starts and PREP once INIT is through.
   */
  async function startRun(input: RunInput, at: ProgressAtStep): Promise<StartedRun> {
    const { definition, steps } = entryOf(input.functionName);
    const progress = new RunProgress(definition, at.progress);
    await publish(input.taskId, at.runId, progress);

    const validating = Date.now();
    await markRunStarted(prisma, input.taskId);
    const rows = await loadOwned(steps, prisma, input);
    const settings = await steps.settings(prisma, input.accountId);
    const { available } = await creditState(prisma, input.accountId);
    if (available <= 0) throw insufficientCreditsError(insufficientCredits(available));
    const names = rows.slice(0, 3).map((row: { id: number }) => steps.nameOf(row));
    const validateMs = Date.now() - validating;
    progress.validated(names, rows.length, validateMs);
    await publish(input.taskId, at.runId, progress);

    const preparing = Date.now();
    const { template } = await resolvePrompt(prisma, input.accountId, promptOf(definition), input.promptOverride);
    const prepared = await storeRequests(deps, definition, steps, { input, rows, settings, template });
    const admitted = await admit(input, prepared.requests, (request) => creditsToReserve(steps.maxCallCostUsd(settings, request.promptChars)));
    const prepareMs = Date.now() - preparing;
    // What the run looks like once its first calls start, as the workflow will make it look.
    progress.prepared(prepared.count, prepared.requests.map((r) => r.label), prepareMs);
    prepared.requests.forEach((request, index) => {
      const admission = admitted.admissions[request.itemKey];
      if (admission && 'position' in admission) progress.waiting(admission.position);
      else if (admission && 'granted' in admission) progress.calling(index);
    });
    await publish(input.taskId, at.runId, progress);
    return { names, count: prepared.count, validateMs, prepareMs, requests: prepared.requests, ...admitted };
  }

  /** Credits first (an item that cannot pay fails at once, it does not wait), then the slots. */
  async function admit(input: RunInput, requests: PreparedRequest[], creditsFor: (request: PreparedRequest) => number) {
    const admissions: Record<string, CallAdmission> = {};
    const payable: PreparedRequest[] = [];
    for (const request of requests) {
      const credits = creditsFor(request);
      const reserved = await reserveCredits(prisma, {
        accountId: input.accountId,
        taskId: input.taskId,
        itemKey: request.itemKey,
        functionName: input.functionName,
        credits,
        costUsd: 0,
      });
      if (reserved.reserved) payable.push(request);
      else admissions[request.itemKey] = { refused: insufficientCredits(reserved.available, credits) };
    }
    const slotted = await admitCalls(
      prisma,
      slots,
      payable.map((r) => ({ accountId: input.accountId, taskId: input.taskId, itemKey: r.itemKey })),
    );
    for (const [itemKey, admission] of slotted.admissions) admissions[itemKey] = admission;
    return { admissions, granted: slotted.granted };
  }

  /** A waiting call asks again (told it may go, or after a while): its credits are reserved already. */
  async function admitWaitingCalls(input: RunInput, itemKeys: string[], at: ProgressAtStep): Promise<{ admissions: Record<string, CallAdmission>; granted: GrantedCall[] }> {
    await publish(input.taskId, at.runId, new RunProgress(entryOf(input.functionName).definition, at.progress));
    const slotted = await admitCalls(prisma, slots, itemKeys.map((itemKey) => ({ accountId: input.accountId, taskId: input.taskId, itemKey })));
    return { admissions: Object.fromEntries(slotted.admissions), granted: slotted.granted };
  }

  /**
   * After an item's AI call: its slot is given back first (another call may start at once), then
   * its answer is parsed and saved, the real cost charged and the reservation released in the
   * save's transaction. A failure retrying cannot fix is answered (the other items go on); a
   * passing fault (the database away) is thrown and the step retried: each part is safe to redo.
   */
  async function finishItem(
    input: RunInput,
    item: { index: number; request: PreparedRequest },
    call: { failed?: string },
    at: ProgressAtStep,
  ): Promise<FinishedItem> {
    const { definition, steps } = entryOf(input.functionName);
    const { request } = item;
    const progress = new RunProgress(definition, at.progress);
    await publish(input.taskId, at.runId, progress);
    const ref: CompletionRef = { taskId: input.taskId, itemKey: request.itemKey, accountId: input.accountId };
    const granted = await releaseCalls(prisma, slots, { taskId: input.taskId, itemKey: request.itemKey });
    if (call.failed !== undefined) {
      await releaseReservations(prisma, { taskId: input.taskId, itemKey: request.itemKey });
      return { failed: { stage: 'call', message: call.failed }, granted };
    }
    const outcome: FinishedItem = { granted };
    const parsing = Date.now();
    try {
      outcome.parse = { ...(await parseAnswer(deps, steps, ref)), ms: Date.now() - parsing };
    } catch (err) {
      return failedFor(err, 'parse', outcome);
    }
    progress.parsed(item.index, outcome.parse.count, outcome.parse.ms);
    await publish(input.taskId, at.runId, progress);
    const saving = Date.now();
    try {
      let credits = 0;
      const saved = await saveOnce(deps, ref, async (tx, row) => {
        const output = await steps.save(tx, { input, request, parsed: row.parsed });
        credits = await chargeItem(tx, {
          accountId: input.accountId,
          taskId: input.taskId,
          itemKey: request.itemKey,
          functionName: input.functionName,
          costUsd: row.cost,
          tokens: row.inputTokens + row.outputTokens,
          model: row.model,
        });
        return { ...output, credits };
      });
      // A save redone after its commit finds its outcome, credits included.
      outcome.save = { ...saved, credits: (saved as SavedOutput & { credits?: number }).credits ?? credits, ms: Date.now() - saving };
    } catch (err) {
      return failedFor(err, 'save', outcome);
    }
    return outcome;

    async function failedFor(err: unknown, stage: 'parse' | 'save', partial: FinishedItem): Promise<FinishedItem> {
      if (!(err instanceof ApplicationFailure && err.nonRetryable)) throw err;
      await releaseReservations(prisma, { taskId: input.taskId, itemKey: request.itemKey });
      const failed = { stage, message: err.message, type: err.type ?? undefined };
      const reask = stage === 'parse' && err.type === FAILURE_TYPES.modelOutput ? await askAgain(err.message) : undefined;
      return reask ? { ...partial, failed, reask: reask.reask, granted: [...partial.granted, ...reask.granted] } : { ...partial, failed };
    }

    /** A text answer that is not what was asked for: one more question in the same conversation, if re-asks are left and the account can pay. */
    async function askAgain(problem: string): Promise<{ reask: NonNullable<FinishedItem['reask']>; granted: GrantedCall[] } | undefined> {
      if (definition.activities.call !== 'requestCompletion') return undefined;
      const { base, number } = reaskOf(request.itemKey);
      if (number >= (deps.parseReasks ?? DEFAULT_PARSE_REASKS)) return undefined;
      const first = await prisma.aIRequest.findUnique({ where: { taskId_itemKey: { taskId: input.taskId, itemKey: base } }, select: { promptType: true } });
      if (!first) return undefined;
      const itemKey = reaskKey(base, number + 1);
      // A re-parse never pays the provider: it re-asks only where the earlier attempt's re-ask answer is stored.
      const run = await prisma.aITaskLog.findUnique({ where: { taskId: input.taskId }, select: { reparsedAt: true } });
      if (run?.reparsedAt) {
        const stored = await prisma.aIRequest.findUnique({ where: { taskId_itemKey: { taskId: input.taskId, itemKey } }, select: { responseText: true } });
        if (stored?.responseText == null) return undefined;
      }
      const prompt = correctionPrompt(problem);
      await storePreparedRequest(prisma, { taskId: input.taskId, itemKey, accountId: input.accountId, functionName: input.functionName, promptType: first.promptType, prompt });
      const conversation = await conversationOf(prisma, input.taskId, itemKey, prompt);
      const promptChars = conversation.reduce((sum, message) => sum + message.content.length, 0);
      const settings = await steps.settings(prisma, input.accountId);
      const next: PreparedRequest = { ...request, itemKey, promptChars };
      const admitted = await admit(input, [next], () => creditsToReserve(steps.maxCallCostUsd(settings, promptChars)));
      // An account that cannot pay for the question is not asked it: the item fails as it would have.
      const admission = admitted.admissions[itemKey];
      if (!admission || 'refused' in admission) return undefined;
      return { reask: { request: next, number: number + 1, admission }, granted: admitted.granted };
    }
  }

  /**
   * DONE (or the end of a failed or cancelled run): the run record completed, a run that produced
   * output charged at least a credit, what it still holds (reservations, slots, places in line)
   * given back, and the stream's last rows: the final progress and `done`, all in one transaction.
   */
  async function completeRun(outcome: RunOutcome, at: { runId: string; progress: PublishedProgress }): Promise<{ granted: GrantedCall[]; credits: number }> {
    let credits = 0;
    await prisma.$transaction(async (tx) => {
      const charges = await tx.creditUsageLog.aggregate({ where: { taskId: outcome.taskId, kind: 'charge' }, _sum: { credits: true } });
      credits = charges._sum.credits ?? 0;
      if (outcome.status === 'success' && credits === 0) {
        const run = await tx.aITaskLog.findUnique({ where: { taskId: outcome.taskId }, select: { accountId: true, functionName: true } });
        if (run) credits = await chargeRunMinimum(tx, { ...run, taskId: outcome.taskId }, credits);
      }
      // The record completed with its credits, read back for the stream's last word.
      const [record] = await tx.aITaskLog.updateManyAndReturn({
        where: { taskId: outcome.taskId },
        data: { ...recordEnd(outcome), credits },
        select: RECORDED_RUN_FIELDS,
      });
      await releaseReservations(tx, { taskId: outcome.taskId });
      await publishSnapshot(tx, outcome.taskId, { runId: at.runId, ...at.progress });
      if (record) await publishSnapshot(tx, outcome.taskId, { runId: at.runId, seq: at.progress.seq + 1, progress: progressFromRecord(record) }, 'done');
    });
    return { granted: await releaseCalls(prisma, slots, { taskId: outcome.taskId }), credits };
  }

  return { startRun, admitWaitingCalls, finishItem, completeRun };
}

