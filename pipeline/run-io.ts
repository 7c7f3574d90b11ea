import type { FinalRunStatus } from './run-status';

/**
 * What a workflow run carries: ids and short strings only. Prompts, answers and articles stay in
 * the database (ai_requests, contents) so history stays far below Temporal's payload limits.
 */
export interface RunInput {
  /** The workflow id, also the run record's `task_id`. */
  taskId: string;
  accountId: number;
  /** The function's name (functions/index.ts). */
  functionName: string;
  ids: number[];
  sectorId?: number;
  promptOverride?: string;
}

/** INIT's answer: the items that still exist and their display names for the message. */
export interface ValidatedInput {
  names: string[];
  count: number;
}

/** One AI request prepared in PREP and stored in `ai_requests`. */
export interface PreparedRequest {
  itemKey: string;
  itemId?: number;
  label: string;
  promptChars: number;
}

export interface PreparedRun {
  /** What PREP loaded (keywords, clusters, …), for its message. */
  count: number;
  requests: PreparedRequest[];
}

export interface CompletionRef {
  taskId: string;
  itemKey: string;
  accountId: number;
  /** The call holds a slot of its account (runs of the earlier pipeline hold none): it keeps it while it runs. */
  slotted?: boolean;
}

export interface CompletionUsage {
  model: string;
  inputTokens: number;
  outputTokens: number;
  cost: number;
  answerChars: number;
}

export interface ParsedAnswer {
  /** What the answer holds (clusters, ideas, …), for PARSE's message. */
  count: number;
}

export interface SavedOutput {
  /** The function's counters (clusters_created, keywords_updated, …). */
  counters: Record<string, number>;
  /** The primary count for SAVE's message and `result.count`. */
  count: number;
}

export interface RunOutcome {
  taskId: string;
  status: FinalRunStatus;
  phase: string;
  /** Where the run got to (absent from runs started before it was kept). */
  percentage?: number;
  message: string;
  durationMs: number;
  cost: number;
  tokens: number;
  requestSteps: unknown[];
  responseSteps: unknown[];
  result?: unknown;
  error?: string;
}

export const BATCH_ITEM_KEY = 'batch';
