import type { TaskProgress } from '../../pipeline/progress';
import type { TaskEventHub } from '../live-progress/event-hub';
import { NotFoundError } from '../errors';

/** Answers kept at most (least recently used dropped first). */
const MAX_ANSWERS = 10_000;
/**
 * How long a running task's answer is kept when no change is announced. Every published progress
 * change is announced and drops it at once; this bounds what a run shows without publishing (the
 * start of a call right after the step that granted its slot, say: each such change comes within a
 * step of an announced one).
 */
export const RUNNING_ANSWER_MS = 1_000;
/**
 * A running answer found unchanged when read again is kept twice as long the next time, up to
 * this: a run that waits on its AI call for minutes is asked a few times, not every second. Any
 * announced change starts again at RUNNING_ANSWER_MS.
 */
export const SETTLED_RUNNING_ANSWER_MS = 8_000;
/** A finished task's answer is read again after this long, whatever was heard (a safety net). */
const FINAL_ANSWER_MS = 10 * 60_000;

interface Kept {
  accountId: number;
  answer: TaskProgress;
  kind: 'final' | 'running';
  /** How long it was kept for: a running answer read again unchanged is kept twice as long. */
  keptMs: number;
  /** Until when it is answered; past that it is read again (and compared with this one). */
  until: number;
}

/** A load of a task's answer under way: kept only if no change was announced meanwhile. */
export interface AnswerLoad {
  keep(accountId: number, answer: TaskProgress, kind: 'final' | 'running'): void;
  end(): void;
  /** A change of the task was announced since the load began: what it brings back is older than that. */
  readonly outdated: boolean;
}

/**
 * The progress answers of one API process, bound to their account (another account's poll is a
 * 404, as without the cache), dropped when the task's change is announced over LISTEN, and all
 * dropped when the LISTEN connection is lost (announcements may have been missed).
 */
export class ProgressAnswerCache {
  private readonly kept = new Map<string, Kept>();
  /** The loads under way of each task, each marked when a change of it is announced after it began. */
  private readonly loads = new Map<string, Set<{ changed: boolean }>>();
  /** Counts lost LISTEN connections: a load that began before one keeps nothing. */
  private connections = 0;

  constructor(
    private readonly hub: TaskEventHub,
    private readonly now: () => number = Date.now,
  ) {
    hub.watch({
      taskChanged: (taskId) => this.taskChanged(taskId),
      accountKeyChanged: () => undefined,
      listeningLost: () => {
        this.connections++;
        this.kept.clear();
      },
    });
  }

  /**
   * The answer kept for the task: fresh, or (`fresh` false) a settled running answer past its time,
   * answered while it is read again in the background. A settled answer came back unchanged at
   * least once, and every change after such a quiet spell comes with an announced one (which drops
   * it), so it is as good as the query's for the moment the refresh takes. Anything else past its
   * time is not answered (undefined): the caller reads the task and waits for it.
   */
  lookup(accountId: number, taskId: string): { answer: TaskProgress; fresh: boolean } | undefined {
    const entry = this.kept.get(taskId);
    if (!entry) return undefined;
    const now = this.now();
    const fresh = entry.until > now;
    // An expired answer stays until its task is read again, to be compared with what comes back.
    const settled = entry.kind === 'running' && entry.keptMs > RUNNING_ANSWER_MS && now < entry.until + entry.keptMs;
    if (!fresh && !settled) return undefined;
    if (entry.accountId !== accountId) throw new NotFoundError(`Task ${taskId} not found.`);
    // Most recently used last: the first key is the one to drop.
    this.kept.delete(taskId);
    this.kept.set(taskId, entry);
    return { answer: entry.answer, fresh };
  }

  /** The fresh answer kept for the task, if any. */
  get(accountId: number, taskId: string): TaskProgress | undefined {
    const kept = this.lookup(accountId, taskId);
    return kept?.fresh ? kept.answer : undefined;
  }

  /**
   * Marks the start of a load; its answer is kept only if no change of the task was announced
   * before it came back. The caller ends every load it starts (`end`), kept or not.
   */
  loading(taskId: string): AnswerLoad {
    const load = { changed: false };
    const ofTask = this.loads.get(taskId) ?? new Set();
    ofTask.add(load);
    this.loads.set(taskId, ofTask);
    const listeningAtStart = this.hub.listening;
    const connection = this.connections;
    // What was kept before this load (expired): a running answer that comes back the same is settling.
    const before = this.kept.get(taskId);
    let ended = false;
    const end = () => {
      if (ended) return;
      ended = true;
      ofTask.delete(load);
      if (ofTask.size === 0 && this.loads.get(taskId) === ofTask) this.loads.delete(taskId);
    };
    const keep = (accountId: number, answer: TaskProgress, kind: 'final' | 'running') => {
      const unchanged = !load.changed;
      end();
      if (!unchanged || !listeningAtStart || !this.hub.listening || connection !== this.connections) return;
      const keptMs = kind === 'final' ? FINAL_ANSWER_MS : this.runningAnswerMs(before, accountId, answer);
      this.kept.delete(taskId);
      this.kept.set(taskId, { accountId, answer, kind, keptMs, until: this.now() + keptMs });
      if (this.kept.size > MAX_ANSWERS) this.kept.delete(this.kept.keys().next().value!);
    };
    return {
      keep,
      end,
      get outdated() {
        return load.changed;
      },
    };
  }

  /** RUNNING_ANSWER_MS, or twice the last time when the answer came back unchanged (to SETTLED_RUNNING_ANSWER_MS). */
  private runningAnswerMs(before: Kept | undefined, accountId: number, answer: TaskProgress): number {
    const unchanged =
      before?.kind === 'running' && before.accountId === accountId && sameAnswer(before.answer, answer);
    return unchanged ? Math.min(before.keptMs * 2, SETTLED_RUNNING_ANSWER_MS) : RUNNING_ANSWER_MS;
  }

  taskChanged(taskId: string): void {
    this.kept.delete(taskId);
    for (const load of this.loads.get(taskId) ?? []) load.changed = true;
  }
}

function sameAnswer(a: TaskProgress, b: TaskProgress): boolean {
  return a === b || JSON.stringify(a) === JSON.stringify(b);
}
