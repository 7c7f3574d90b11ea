import type { MessageContext, PipelineFunction } from './definition';
import { PHASE_RANGES, PHASES, phasePercentage, type Phase } from './phases';
import type { ProgressMeta, StepLog, TaskProgress, TaskResult, TaskState } from './progress';
import { pendingMeta } from './progress-state';

/**
 * A run's progress while its items run side by side (the pipeline of pipeline/run-pipeline.ts).
 * Plain workflow state: every change is a method call, the workflow clock times steps, and
 * `snapshot()` is the progress answer (for the query and for the live stream).
 *
 * - Step logs stay grouped per item, in item order, whatever order the items run in: each step has
 *   a fixed place, and the answer numbers the steps present 1, 2, 3… in that order.
 * - They stay bounded: the first DETAILED_ITEMS items have steps of their own; the rest share one
 *   summary step per log ("AI requests for items 21–50: 12 done, 1 failed").
 * - The phase is the least advanced one any item still has work in, and the percentage follows the
 *   items through it; neither ever goes back.
 */
export const DETAILED_ITEMS = 20;

type Log = 'request' | 'response';
type ItemStage = 'call' | 'parse' | 'save';

/** The phase an item's stage belongs to. */
const STAGE_PHASES: Record<ItemStage, Phase> = { call: 'AI_CALL', parse: 'PARSE', save: 'SAVE' };

interface Entry extends Omit<StepLog, 'stepNumber'> {
  log: Log;
  /** Where the step stands in its log: validate, prompt, then each item's steps in item order. */
  place: number;
  startedAt?: number;
}

interface ItemState {
  label: string;
  called: boolean;
  parsed: boolean;
  done: boolean;
  failed: boolean;
}

export interface PublishedProgress {
  /** 1 for the run's first snapshot, then one more for each: an older one is never stored after a newer one. */
  seq: number;
  progress: TaskProgress;
}

/** Everything a RunProgress knows, as plain data: a step can take it and publish what comes next. */
export interface RunProgressData {
  state: TaskState;
  meta: ProgressMeta;
  result?: TaskResult;
  error?: string;
  entries: Array<[string, Entry]>;
  items: ItemState[];
  parsedCount: number;
  callsStarted: number;
  seq: number;
  waitingPosition?: number;
}

export class RunProgress {
  private state: TaskState = 'PROGRESS';
  private meta: ProgressMeta = pendingMeta();
  private result?: TaskResult;
  private error?: string;
  private readonly entries = new Map<string, Entry>();
  private items: ItemState[] = [];
  private parsedCount = 0;
  private callsStarted = 0;
  private seq = 0;
  private changed = true;
  private waitingPosition?: number;

  constructor(
    private readonly definition: PipelineFunction,
    data?: RunProgressData,
  ) {
    if (data) {
      const { entries, ...rest } = structuredCopy(data);
      Object.assign(this, rest);
      for (const [key, entry] of entries) this.entries.set(key, entry);
    }
  }

  data(): RunProgressData {
    return structuredCopy({
      state: this.state,
      meta: this.meta,
      result: this.result,
      error: this.error,
      entries: [...this.entries],
      items: this.items,
      parsedCount: this.parsedCount,
      callsStarted: this.callsStarted,
      seq: this.seq,
      waitingPosition: this.waitingPosition,
    });
  }

  private say(phase: Phase, ctx: Partial<MessageContext> = {}): string {
    return this.definition.messages[phase]({ names: [], count: 0, ...ctx });
  }

  /** INIT: the validate step is running. */
  start(count: number): void {
    this.meta.credits = 0;
    this.enter('INIT', this.say('INIT', { count }));
    this.begin('validate', 'request', 0, 'Validate input');
  }

  /** INIT's step ended (names of the first rows, how many), PREP's step runs. */
  validated(names: string[], count: number, durationMs: number): void {
    this.end('validate', 'success', this.say('INIT', { names, count }), durationMs);
    this.enter('PREP', this.say('PREP', { count }));
    this.begin('prepare', 'request', 1, 'Build prompt');
  }

  /** PREP's step ended with the run's items (their labels, in order). */
  prepared(count: number, labels: string[], durationMs: number): void {
    this.end('prepare', 'success', this.say('PREP', { count }), durationMs);
    this.items = labels.map((label) => ({ label, called: false, parsed: false, done: false, failed: false }));
    this.meta.total = labels.length;
    this.meta.current = 0;
    this.advance();
  }

  /** An item waits for a slot for its AI call: `position` 1 is next. */
  waiting(position: number): void {
    if (this.waitingPosition === undefined || position < this.waitingPosition) this.waitingPosition = position;
    this.meta.queue_position = this.waitingPosition;
    if (this.callsStarted === 0) {
      this.state = 'PENDING';
      this.meta.message = waitingMessage(this.waitingPosition);
    }
    this.changed = true;
  }

  /** No item of the run waits any more. */
  noneWaiting(): void {
    this.waitingPosition = undefined;
    delete this.meta.queue_position;
    this.changed = true;
  }

  /** An item's AI call starts. */
  calling(index: number): void {
    this.callsStarted++;
    if (this.state === 'PENDING') this.state = 'PROGRESS';
    if (PHASES.indexOf(this.meta.phase) < PHASES.indexOf('AI_CALL')) this.enter('AI_CALL', this.say('AI_CALL'));
    else if (this.meta.phase === 'AI_CALL') this.meta.message = this.say('AI_CALL');
    this.meta.current_item = this.items[index].label;
    this.itemBegin(index, 'call');
  }

  /** An item's AI call ended: its usage counts. */
  called(index: number, usage: { cost: number; tokens: number }): void {
    this.items[index].called = true;
    this.meta.cost = roundCost(this.meta.cost + usage.cost);
    this.meta.tokens += usage.tokens;
    this.itemEnd(index, 'call', 'success');
    this.advance();
  }

  /**
   * The item's answer could not be used and the model is asked again in the same conversation:
   * re-ask `number` is a request step of its own, placed after the item's call.
   */
  reasking(index: number, number: number, problem: string): void {
    const item = this.items[index];
    this.meta.current_item = item.label;
    // Items past the detailed ones keep to their summary rows: a re-ask shows in its usage only.
    if (index >= DETAILED_ITEMS) {
      this.changed = true;
      return;
    }
    const detailed = Math.min(this.items.length, DETAILED_ITEMS);
    const place = (index < DETAILED_ITEMS ? 2 + index : 2 + detailed) + number / 10;
    const key = `item:${index}:reask:${number}`;
    this.begin(key, 'request', place, `${number > 1 ? `Re-ask ${number}` : 'Re-ask'}: ${item.label}`);
    const entry = this.entries.get(key)!;
    entry.message = `Asking again: ${problem.length > 300 ? `${problem.slice(0, 299)}…` : problem}`;
  }

  /** A re-ask's call ended: its usage counts like any call's. */
  reasked(index: number, number: number, outcome: { usage?: { cost: number; tokens: number }; error?: string }): void {
    const key = `item:${index}:reask:${number}`;
    if (outcome.usage) {
      this.meta.cost = roundCost(this.meta.cost + outcome.usage.cost);
      this.meta.tokens += outcome.usage.tokens;
      this.changed = true;
      this.end(key, 'success', 'Answered again');
    } else {
      this.end(key, 'error', outcome.error ?? 'The re-ask failed', undefined, outcome.error);
    }
  }

  /** The item's answer was read (`count`: what it holds, for PARSE's message) and its save started. */
  parsed(index: number, count: number, parseMs: number): void {
    this.items[index].parsed = true;
    this.parsedCount += count;
    this.itemBegin(index, 'parse');
    this.itemEnd(index, 'parse', 'success', this.say('PARSE', { count: this.parsedCount }), parseMs);
    this.advance();
  }

  /** Credits the run was charged: an item's real cost, or the run's minimum at its end. */
  charged(credits: number): void {
    this.meta.credits = (this.meta.credits ?? 0) + credits;
    this.changed = true;
  }

  /** Credits charged in all, as the ledger has them at the run's end. */
  chargedInAll(credits: number): void {
    this.meta.credits = credits;
    this.changed = true;
  }

  /** The item's rows were saved. */
  saved(index: number, saveMs: number): void {
    this.itemBegin(index, 'save');
    this.itemEnd(index, 'save', 'success', this.say('SAVE', { count: this.parsedCount }), saveMs);
    this.finishItem(index);
  }

  /** The item failed at `stage` (the others go on). */
  itemFailed(index: number, stage: ItemStage, message: string): void {
    this.items[index].failed = true;
    this.itemBegin(index, stage);
    this.itemEnd(index, stage, 'error', message, undefined, message);
    if (this.items.every((i) => i.failed)) {
      // Nothing goes on: the run ends in the phase its last item failed in.
      this.items[index].done = true;
      this.meta.current = this.items.filter((i) => i.done).length;
      const phase = STAGE_PHASES[stage];
      if (PHASES.indexOf(phase) > PHASES.indexOf(this.meta.phase)) this.meta.phase = phase;
      this.changed = true;
      return;
    }
    this.finishItem(index);
  }

  /** DONE: the run's record is being completed. */
  finishing(): void {
    this.enter('DONE', this.say('DONE'));
  }

  succeed(result: TaskResult): void {
    this.state = 'SUCCESS';
    this.result = result;
    this.meta.percentage = 100;
    this.changed = true;
  }

  fail(error: string, failedStep?: 'validate' | 'prepare'): void {
    if (failedStep) this.end(failedStep, 'error', error, undefined, error);
    this.state = 'FAILURE';
    this.error = error;
    this.noneWaiting();
  }

  revoke(): void {
    this.state = 'REVOKED';
    this.noneWaiting();
  }

  snapshot(): TaskProgress {
    const ordered = [...this.entries.values()].sort((a, b) => a.place - b.place);
    const numbered = ordered.map((entry, index) => ({ entry, step: toStep(entry, index + 1) }));
    const progress: TaskProgress = {
      state: this.state,
      meta: {
        ...this.meta,
        request_steps: numbered.filter((n) => n.entry.log === 'request').map((n) => n.step),
        response_steps: numbered.filter((n) => n.entry.log === 'response').map((n) => n.step),
      },
    };
    if (this.result) progress.result = this.result;
    if (this.error) progress.error = this.error;
    return progress;
  }

  /**
   * The progress as data for a step that publishes `count` snapshots itself (numbered after the
   * current one); this run's next snapshot comes after them.
   */
  reserveSeq(count: number): RunProgressData {
    const data = this.data();
    this.seq += count;
    return data;
  }

  /** The answer to publish with the next step, or undefined when nothing changed since the last one. */
  publishable(): PublishedProgress | undefined {
    if (!this.changed) return undefined;
    this.changed = false;
    return { seq: ++this.seq, progress: this.snapshot() };
  }

  /** The same, whether or not something changed (the run's last word). */
  latest(): PublishedProgress {
    this.changed = false;
    return { seq: ++this.seq, progress: this.snapshot() };
  }

  get phase(): Phase {
    return this.meta.phase;
  }

  get message(): string {
    return this.meta.message;
  }

  private finishItem(index: number): void {
    this.items[index].done = true;
    this.meta.current = this.items.filter((i) => i.done).length;
    const running = this.items.findIndex((i) => i.called && !i.done);
    if (running >= 0) this.meta.current_item = this.items[running].label;
    this.advance();
  }

  /** The phase moves on when no item has work left in it; the percentage follows the items through it. */
  private advance(): void {
    const n = this.items.length;
    if (n === 0) return;
    const called = this.items.filter((i) => i.called || i.failed || i.done).length;
    const parsed = this.items.filter((i) => i.parsed || i.done).length;
    const done = this.items.filter((i) => i.done).length;
    const order = PHASES.indexOf(this.meta.phase);
    if (order >= PHASES.indexOf('AI_CALL') && called === n && order < PHASES.indexOf('PARSE')) this.enter('PARSE', this.say('PARSE', { count: this.parsedCount }));
    if (PHASES.indexOf(this.meta.phase) === PHASES.indexOf('PARSE') && parsed === n) this.enter('SAVE', this.say('SAVE', { count: this.parsedCount }));
    const progressIn: Partial<Record<Phase, number>> = { AI_CALL: called, PARSE: parsed, SAVE: done };
    const doneInPhase = progressIn[this.meta.phase];
    if (doneInPhase !== undefined) this.raise(phasePercentage(this.meta.phase, doneInPhase, n));
    this.changed = true;
  }

  private enter(phase: Phase, message: string): void {
    if (PHASES.indexOf(phase) < PHASES.indexOf(this.meta.phase)) return;
    this.meta.phase = phase;
    this.meta.message = message;
    this.raise(PHASE_RANGES[phase].start);
    this.changed = true;
  }

  private raise(percentage: number): void {
    if (percentage > this.meta.percentage) this.meta.percentage = percentage;
  }

  private begin(key: string, log: Log, place: number, stepName: string): void {
    this.entries.set(key, { log, place, stepName, status: 'pending', message: stepName, startedAt: Date.now() });
    this.changed = true;
  }

  private end(key: string, status: 'success' | 'error', message: string, durationMs?: number, error?: string): void {
    const entry = this.entries.get(key);
    if (!entry || entry.status !== 'pending') return;
    entry.status = status;
    entry.message = message;
    entry.duration = durationMs ?? Date.now() - (entry.startedAt ?? Date.now());
    if (error !== undefined) entry.error = error;
    this.changed = true;
  }

  /** An item's step starts: its own entry, or the summary entry its log shares past DETAILED_ITEMS. */
  private itemBegin(index: number, stage: ItemStage): void {
    const log: Log = stage === 'call' ? 'request' : 'response';
    const key = this.itemKey(index, stage);
    if (this.entries.has(key)) return;
    const label = this.items[index].label;
    if (index < DETAILED_ITEMS) {
      const name = stage === 'call' ? `AI request: ${label}` : stage === 'parse' ? `Parse answer: ${label}` : `Save: ${label}`;
      this.begin(key, log, this.placeOf(index, stage), name);
    } else {
      this.begin(key, log, this.placeOf(index, stage), this.summaryName(log));
    }
  }

  private itemEnd(index: number, stage: ItemStage, status: 'success' | 'error', message?: string, durationMs?: number, error?: string): void {
    if (index < DETAILED_ITEMS) {
      this.end(this.itemKey(index, stage), status, message ?? this.meta.message, durationMs, error);
      return;
    }
    this.updateSummary(stage === 'call' ? 'request' : 'response');
  }

  private itemKey(index: number, stage: ItemStage): string {
    if (index >= DETAILED_ITEMS) return `summary:${stage === 'call' ? 'request' : 'response'}`;
    return `item:${index}:${stage}`;
  }

  /** Validate and prompt first; each detailed item's call, then its parse and save; the summaries last. */
  private placeOf(index: number, stage: ItemStage): number {
    const detailed = Math.min(this.items.length, DETAILED_ITEMS);
    if (stage === 'call') return index < DETAILED_ITEMS ? 2 + index : 2 + detailed;
    const responses = 3 + detailed;
    if (index >= DETAILED_ITEMS) return responses + 2 * detailed;
    return responses + 2 * index + (stage === 'save' ? 1 : 0);
  }

  private summaryName(log: Log): string {
    const range = `${DETAILED_ITEMS + 1}–${this.items.length}`;
    return log === 'request' ? `AI requests for items ${range}` : `Parse and save items ${range}`;
  }

  /** "AI requests for items 21–50: 12 done, 1 failed": pending while any of them still runs. */
  private updateSummary(log: Log): void {
    const entry = this.entries.get(`summary:${log}`);
    if (!entry) return;
    const rest = this.items.slice(DETAILED_ITEMS);
    const finished = rest.filter((i) => (log === 'request' ? i.called : i.done));
    const failed = rest.filter((i) => i.failed).length;
    entry.message = `${this.summaryName(log)}: ${finished.length} done${failed ? `, ${failed} failed` : ''}`;
    if (finished.length === rest.length) {
      entry.status = failed === rest.length ? 'error' : 'success';
      entry.duration = Date.now() - (entry.startedAt ?? Date.now());
    }
    this.changed = true;
  }
}

/** "Waiting for a free slot (2 ahead)": the message of a run whose next AI call waits its turn. */
export function waitingMessage(position: number): string {
  return `Waiting for a free slot (${Math.max(0, position - 1)} ahead)`;
}

function toStep(entry: Entry, stepNumber: number): StepLog {
  const step: StepLog = { stepNumber, stepName: entry.stepName, status: entry.status, message: entry.message };
  if (entry.duration !== undefined) step.duration = entry.duration;
  if (entry.error !== undefined) step.error = entry.error;
  return step;
}

/** A deep copy of plain data (workflow code has no structuredClone guarantee across SDK versions). */
function structuredCopy<T>(value: T): T {
  return JSON.parse(JSON.stringify(value)) as T;
}

function roundCost(cost: number): number {
  return Math.round(cost * 1e8) / 1e8;
}
