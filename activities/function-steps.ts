import { ApplicationFailure } from '@temporalio/common';
import type { Prisma, PrismaClient } from '../db/client';
import type { PipelineFunction } from '../pipeline/definition';
import type { CompletionRef, ParsedAnswer, PreparedRequest, PreparedRun, RunInput, SavedOutput, ValidatedInput } from '../pipeline/run-io';
import { parseStoredAnswer, requireAll, saveOnce, storePreparedRequest } from './ai-requests';
import type { ActivityDeps } from './deps';
import { markRunStarted } from './run-record';

export type Transaction = Prisma.TransactionClient;

/** One AI request a function plans from its rows: the prompt, and what the step log calls it. */
export interface RequestPlan {
  itemKey: string;
  /** The row the request is for (per-item functions). */
  itemId?: number;
  label: string;
  prompt: string;
  /** Kept with the request until the answer arrives (an image's negative prompt). */
  pending?: Prisma.InputJsonObject;
}

/** The stored request a parse reads: its prompt, its answer and what was kept with it. */
export interface StoredRequest {
  prompt: string;
  responseText: string;
  parsed: Prisma.JsonValue | null;
}

/**
 * What a pipeline function does its own way; the shared steps (here and in run-steps.ts) do the
 * rest: marking the run started, checking the rows are the account's, resolving and storing
 * prompts, keeping answers, saving once, settling credits, publishing progress.
 */
export interface FunctionSteps<Row extends { id: number } = { id: number }, Parsed = unknown> {
  /** The rows the run names that the account owns, in the order the prompt lists them. */
  load(prisma: PrismaClient, input: RunInput): Promise<Row[]>;
  /** A row's name in INIT's message ("Validating a, b and c"). */
  nameOf(row: Row): string;
  /** Checks at INIT the settings the run needs (a bad one fails the run there) and answers them. */
  settings(prisma: PrismaClient, accountId: number): Promise<unknown>;
  /** The AI requests of the run; `template` is the resolved prompt of the function's prompt type. */
  plan(context: { prisma: PrismaClient; input: RunInput; rows: Row[]; template: string; settings: unknown }): Promise<RequestPlan[]>;
  /** Reads one stored answer; `parsed` is kept for SAVE, `count` is what PARSE's message counts. */
  parse(context: { prisma: PrismaClient; ref: CompletionRef; request: StoredRequest }): Promise<{ parsed: Prisma.InputJsonValue; count: number }>;
  /** Writes one item's rows inside the save's transaction and answers its counters. */
  save(tx: Transaction, context: { input: RunInput; request: PreparedRequest; parsed: Parsed }): Promise<SavedOutput>;
  /** The most one AI call of the run can cost in USD (what its credits reservation holds), from the settings. */
  maxCallCostUsd(settings: unknown, promptChars: number): number;
  /** An item failed for good (its call or its parse): what its rows should say (an image marked failed). */
  failed?(prisma: PrismaClient, ref: CompletionRef): Promise<void>;
  /** The noun of `requireAll`'s message ("Keywords not found for this account: …"). */
  rowsNoun: string;
}

/** Loads the run's rows; one that vanished or is another account's fails the run, naming it. */
export async function loadOwned<Row extends { id: number }, Parsed>(steps: FunctionSteps<Row, Parsed>, prisma: PrismaClient, input: RunInput): Promise<Row[]> {
  return requireAll(input.ids, await steps.load(prisma, input), steps.rowsNoun);
}

/** INIT: the run is started, its rows are still the account's and its settings are usable. */
export async function validateRows<Row extends { id: number }, Parsed>(
  deps: ActivityDeps,
  steps: FunctionSteps<Row, Parsed>,
  input: RunInput,
): Promise<ValidatedInput> {
  await markRunStarted(deps.prisma, input.taskId);
  const rows = await loadOwned(steps, deps.prisma, input);
  await steps.settings(deps.prisma, input.accountId);
  return { names: rows.slice(0, 3).map((row) => steps.nameOf(row)), count: rows.length };
}

/** PREP: the prompts, resolved (task override → account → built-in) and stored, one per request. */
export async function prepareRequests<Row extends { id: number }, Parsed>(
  deps: ActivityDeps,
  definition: PipelineFunction,
  steps: FunctionSteps<Row, Parsed>,
  input: RunInput,
  template: string,
): Promise<PreparedRun> {
  const rows = await loadOwned(steps, deps.prisma, input);
  const settings = await steps.settings(deps.prisma, input.accountId);
  return storeRequests(deps, definition, steps, { input, rows, settings, template });
}

/** The requests planned from rows and settings already loaded, stored one per item. */
export async function storeRequests<Row extends { id: number }, Parsed>(
  deps: ActivityDeps,
  definition: PipelineFunction,
  steps: FunctionSteps<Row, Parsed>,
  { input, rows, settings, template }: { input: RunInput; rows: Row[]; settings: unknown; template: string },
): Promise<PreparedRun> {
  const { prisma } = deps;
  const plans = await steps.plan({ prisma, input, rows, template, settings });
  for (const plan of plans) {
    await storePreparedRequest(prisma, {
      taskId: input.taskId,
      itemKey: plan.itemKey,
      accountId: input.accountId,
      functionName: input.functionName,
      promptType: definition.promptType,
      prompt: plan.prompt,
      ...(plan.pending ? { pending: plan.pending } : {}),
    });
  }
  return {
    count: rows.length,
    requests: plans.map((p) => ({ itemKey: p.itemKey, ...(p.itemId !== undefined ? { itemId: p.itemId } : {}), label: p.label, promptChars: p.prompt.length })),
  };
}

/** PARSE: the stored answer through the function's parser; what it finds is kept for SAVE. */
export async function parseAnswer<Row extends { id: number }, Parsed>(deps: ActivityDeps, steps: FunctionSteps<Row, Parsed>, ref: CompletionRef): Promise<ParsedAnswer> {
  const { prisma } = deps;
  let count = 0;
  try {
    await parseStoredAnswer(prisma, ref, async (request) => {
      const found = await steps.parse({ prisma, ref, request });
      count = found.count;
      return found.parsed;
    });
  } catch (err) {
    // A wrong answer fails the item for good; a database hiccup is retried and says nothing yet.
    if (err instanceof ApplicationFailure && err.nonRetryable) await steps.failed?.(prisma, ref);
    throw err;
  }
  return { count };
}

/** SAVE: the item's rows in one transaction that records its outcome, so a retried save writes nothing twice. */
export async function saveItem<Row extends { id: number }, Parsed>(deps: ActivityDeps, steps: FunctionSteps<Row, Parsed>, input: RunInput, request: PreparedRequest): Promise<SavedOutput> {
  return saveOnce(deps, { taskId: input.taskId, itemKey: request.itemKey }, (tx, row) => steps.save(tx, { input, request, parsed: row.parsed as Parsed }));
}
