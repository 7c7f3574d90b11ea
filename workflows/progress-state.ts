import { PHASE_RANGES, phasePercentage, type Phase } from '../core/phases';
import type { ProgressMeta, StepLog, TaskProgress, TaskResult, TaskState } from '../core/progress';

/**
 * A run's progress as plain workflow state. Percentage only moves forward (SPEC §3), whatever order
 * callers report in; the workflow clock (`Date.now()` inside a workflow) times the steps
 * deterministically.
 */
export class ProgressState {
  private state: TaskState = 'PROGRESS';
  private meta: ProgressMeta = {
    phase: 'INIT',
    percentage: 0,
    message: '',
    request_steps: [],
    response_steps: [],
    cost: 0,
    tokens: 0,
  };
  private result?: TaskResult;
  private error?: string;
  private stepCount = 0;

  enter(phase: Phase, message?: string): void {
    this.meta.phase = phase;
    if (message !== undefined) this.meta.message = message;
    this.raise(PHASE_RANGES[phase].start);
    delete this.meta.current;
    delete this.meta.total;
    delete this.meta.current_item;
  }

  setMessage(message: string): void {
    this.meta.message = message;
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
  }

  /**
   * Runs one step, logging it (name, status, duration, error) to the request or response log;
   * `describe` turns its value into the phase message that the step log keeps too.
   */
  async step<T>(log: 'request' | 'response', stepName: string, run: () => Promise<T>, describe?: (value: T) => string): Promise<T> {
    const entry: StepLog = { stepNumber: ++this.stepCount, stepName, status: 'pending', message: stepName };
    (log === 'request' ? this.meta.request_steps : this.meta.response_steps).push(entry);
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
    }
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
