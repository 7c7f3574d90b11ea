import { PHASE_RANGES, PHASES, phasePercentage, type Phase } from './phases';
import type { ProgressMeta, StepLog, TaskProgress, TaskResult, TaskState } from './progress';
import type { ChangedStep, ProgressUpdate } from './live-progress';

/** What an accepted run not yet running says, and the run record's message until it starts. */
export const WAITING_TO_START = 'Waiting to start';

/** The meta of an accepted run that has not started yet; every run's progress starts from it. */
export function pendingMeta(): ProgressMeta {
  return { phase: 'INIT', percentage: 0, message: WAITING_TO_START, request_steps: [], response_steps: [], cost: 0, tokens: 0 };
}

/** Sends one update to live-progress listeners; false when it could not (its steps go with the next). */
export type PublishProgress = (update: ProgressUpdate) => Promise<boolean>;

/**
 * A run's progress as plain workflow state. Percentage only moves forward, whatever order
 * callers report in; the workflow clock (`Date.now()` inside a workflow) times the steps
 * deterministically.
 *
 * Changes are published to the live progress stream when a phase is entered, when a step starts (with
 * the item it works on and the end of the step before it) and when the pipeline asks before the end.
 * An update is built when its turn comes, so changes made meanwhile travel together, and updates
 * go out one at a time, in order.
 */
export class ProgressState {
  private state: TaskState = 'PROGRESS';
  private meta: ProgressMeta = pendingMeta();
  private result?: TaskResult;
  private error?: string;
  private stepCount = 0;
  /** Step entries changed since the last update was built, with their log. */
  private readonly unsent = new Map<StepLog, ChangedStep['log']>();
  private publishing: Promise<void> = Promise.resolve();
  private updateQueued = false;
  private updatesSent = 0;
  /** A composed run's mirror of each child's steps (child and step number → own entry) and usage. */
  private readonly mirrored = new Map<string, StepLog>();
  private readonly childUsage = new Map<string, { cost: number; tokens: number }>();
  private ownUsage = { cost: 0, tokens: 0 };

  constructor(private readonly publishUpdate?: PublishProgress) {}

  enter(phase: Phase, message?: string): void {
    this.meta.phase = phase;
    if (message !== undefined) this.meta.message = message;
    this.raise(PHASE_RANGES[phase].start);
    delete this.meta.current;
    delete this.meta.total;
    delete this.meta.current_item;
    void this.publish();
  }

  advance(phase: Phase, done: number, total: number): void {
    this.raise(phasePercentage(phase, done, total));
  }

  setItem(current: number, total: number, label: string): void {
    this.meta.current = current;
    this.meta.total = total;
    this.meta.current_item = label;
  }

  addUsage(cost: number, tokens: number): void {
    this.meta.cost = roundCost(this.meta.cost + cost);
    this.meta.tokens += tokens;
    this.ownUsage = { cost: roundCost(this.ownUsage.cost + cost), tokens: this.ownUsage.tokens + tokens };
  }

  /**
   * Takes a child run's progress into this one (a run composed of others): its steps appear here,
   * prefixed with `label` and numbered in the order they first appear (a step keeps its number); the phase and percentage
   * the caller maps them to are reached, never gone back from; its message, item and usage count.
   */
  mirror(child: string, label: string, progress: TaskProgress, phase: Phase, percentage: number): void {
    for (const [log, steps] of [['request', progress.meta.request_steps], ['response', progress.meta.response_steps]] as const) {
      // A step is known by its log and name (its number may change as the child's items interleave);
      // steps of the same name by their order.
      const seen = new Map<string, number>();
      for (const step of steps) {
        const occurrence = (seen.get(step.stepName) ?? 0) + 1;
        seen.set(step.stepName, occurrence);
        const key = `${child}/${log}/${step.stepName}/${occurrence}`;
        let entry = this.mirrored.get(key);
        const before = entry && JSON.stringify(entry);
        if (!entry) {
          entry = { stepNumber: ++this.stepCount, stepName: `${label}: ${step.stepName}`, status: step.status, message: step.message };
          this.mirrored.set(key, entry);
          (log === 'request' ? this.meta.request_steps : this.meta.response_steps).push(entry);
        }
        Object.assign(entry, { status: step.status, message: step.message });
        if (step.duration !== undefined) entry.duration = step.duration;
        if (step.error !== undefined) entry.error = step.error;
        if (JSON.stringify(entry) !== before) this.unsent.set(entry, log);
      }
    }
    if (PHASE_ORDER[phase] > PHASE_ORDER[this.meta.phase]) this.meta.phase = phase;
    this.meta.message = progress.meta.message;
    this.raise(percentage);
    const { current, total, current_item } = progress.meta;
    Object.assign(this.meta, { current, total, current_item });
    if (current === undefined) delete this.meta.current;
    if (total === undefined) delete this.meta.total;
    if (current_item === undefined) delete this.meta.current_item;
    this.childUsage.set(child, { cost: progress.meta.cost, tokens: progress.meta.tokens });
    const children = [...this.childUsage.values()];
    this.meta.cost = roundCost(children.reduce((sum, usage) => sum + usage.cost, this.ownUsage.cost));
    this.meta.tokens = children.reduce((sum, usage) => sum + usage.tokens, this.ownUsage.tokens);
    void this.publish();
  }

  /**
   * Runs one step, logging it (name, status, duration, error) to the request or response log;
   * `describe` turns its value into the phase message that the step log keeps too.
   */
  async step<T>(log: 'request' | 'response', stepName: string, run: () => Promise<T>, describe?: (value: T) => string): Promise<T> {
    const entry: StepLog = { stepNumber: ++this.stepCount, stepName, status: 'pending', message: stepName };
    (log === 'request' ? this.meta.request_steps : this.meta.response_steps).push(entry);
    this.unsent.set(entry, log);
    void this.publish();
    const started = Date.now();
    try {
      const value = await run();
      if (describe) this.meta.message = describe(value);
      entry.status = 'success';
      entry.message = this.meta.message;
      return value;
    } catch (err) {
      entry.status = 'error';
      entry.error = err instanceof Error ? innermostMessage(err) : String(err);
      entry.message = entry.error;
      throw err;
    } finally {
      entry.duration = Date.now() - started;
      // Published with the next update: the pipeline starts the next step (or ends) right away.
      this.unsent.set(entry, log);
    }
  }

  /**
   * Publishes what changed since the last update; resolves when every update so far is out (or
   * given up on: live progress never holds up or fails a run).
   */
  publish(): Promise<void> {
    if (this.publishUpdate && !this.updateQueued) {
      this.updateQueued = true;
      this.publishing = this.publishing.then(() => this.sendUpdate(this.publishUpdate!));
    }
    return this.publishing;
  }

  private async sendUpdate(publishUpdate: PublishProgress): Promise<void> {
    this.updateQueued = false;
    const changed = [...this.unsent];
    this.unsent.clear();
    const { request_steps, response_steps, ...meta } = this.meta;
    const update: ProgressUpdate = {
      state: this.state,
      meta,
      stepCounts: { request: request_steps.length, response: response_steps.length },
      steps: changed.map(([entry, log]) => ({ ...entry, log })),
      seq: ++this.updatesSent,
    };
    if (await publishUpdate(update)) return;
    for (const [entry, log] of changed) if (!this.unsent.has(entry)) this.unsent.set(entry, log);
  }

  succeed(result: TaskResult): void {
    this.state = 'SUCCESS';
    this.result = result;
    this.meta.percentage = 100;
  }

  fail(error: string): void {
    this.state = 'FAILURE';
    this.error = error;
  }

  revoke(): void {
    this.state = 'REVOKED';
  }

  snapshot(): TaskProgress {
    const progress: TaskProgress = { state: this.state, meta: structuredCloneMeta(this.meta) };
    if (this.result) progress.result = this.result;
    if (this.error) progress.error = this.error;
    return progress;
  }

  private raise(percentage: number): void {
    if (percentage > this.meta.percentage) this.meta.percentage = percentage;
  }
}

const PHASE_ORDER = Object.fromEntries(PHASES.map((phase, index) => [phase, index])) as Record<Phase, number>;

function roundCost(cost: number): number {
  return Math.round(cost * 1e8) / 1e8;
}

function innermostMessage(err: Error): string {
  let current: Error = err;
  while (current.cause instanceof Error) current = current.cause;
  return current.message;
}

function structuredCloneMeta(meta: ProgressMeta): ProgressMeta {
  return {
    ...meta,
    request_steps: meta.request_steps.map((s) => ({ ...s })),
    response_steps: meta.response_steps.map((s) => ({ ...s })),
  };
}
