import type { TaskProgress } from '../../pipeline/progress';
import type { TaskEventHub } from '../live-progress/event-hub';
import { NotFoundError } from '../errors';

/** Answers kept at most (least recently used dropped first). */
const MAX_ANSWERS = 10_000;
/**
 * How long a running task's answer is kept when no change is announced. Every published progress
 * change is announced and drops it at once; this bounds what a run shows without publishing (an AI
 * call under way, a place in line).
 */
const RUNNING_ANSWER_MS = 1_000;
/** A finished task's answer is read again after this long, whatever was heard (a safety net). */
const FINAL_ANSWER_MS = 10 * 60_000;

interface Kept {
  accountId: number;
  answer: TaskProgress;
  /** When it is read again: a running task's in a second, a finished task's (which changes only by an announced reset) in minutes. */
  until: number;
}

/** A load of a task's answer under way: kept only if no change was announced meanwhile. */
export interface AnswerLoad {
  keep(accountId: number, answer: TaskProgress, kind: 'final' | 'running'): void;
  end(): void;
}

/**
 * The progress answers of one API process, bound to their account (another account's poll is a
 * 404, as without the cache), dropped when the task's change is announced over LISTEN, and all
 * dropped when the LISTEN connection is lost (announcements may have been missed).
 */
export class ProgressAnswerCache {
  private readonly kept = new Map<string, Kept>();
  /** Tasks being loaded, and whether a change was announced since the load began. */
  private readonly loads = new Map<string, { changed: boolean; count: number }>();
  /** Counts lost LISTEN connections: a load that began before one keeps nothing. */
  private connections = 0;

  constructor(private readonly hub: TaskEventHub) {
    hub.watch({
      taskChanged: (taskId) => this.taskChanged(taskId),
      accountKeyChanged: () => undefined,
      listeningLost: () => {
        this.connections++;
        this.kept.clear();
      },
    });
  }

  get(accountId: number, taskId: string): TaskProgress | undefined {
    const entry = this.kept.get(taskId);
    if (!entry) return undefined;
    if (entry.until <= Date.now()) {
      this.kept.delete(taskId);
      return undefined;
    }
    if (entry.accountId !== accountId) throw new NotFoundError(`Task ${taskId} not found.`);
    // Most recently used last: the first key is the one to drop.
    this.kept.delete(taskId);
    this.kept.set(taskId, entry);
    return entry.answer;
  }

  /**
   * Marks the start of a load; its answer is kept only if no change of the task was announced
   * before it came back. The caller ends every load it starts (`end`), kept or not.
   */
  loading(taskId: string): AnswerLoad {
    const load = this.loads.get(taskId) ?? { changed: false, count: 0 };
    load.count++;
    this.loads.set(taskId, load);
    const listeningAtStart = this.hub.listening;
    const connection = this.connections;
    let ended = false;
    const end = () => {
      if (ended) return;
      ended = true;
      if (--load.count === 0) this.loads.delete(taskId);
    };
    const keep = (accountId: number, answer: TaskProgress, kind: 'final' | 'running') => {
      const unchanged = !load.changed;
      end();
      if (!unchanged || !listeningAtStart || !this.hub.listening || connection !== this.connections) return;
      this.kept.delete(taskId);
      this.kept.set(taskId, { accountId, answer, until: Date.now() + (kind === 'running' ? RUNNING_ANSWER_MS : FINAL_ANSWER_MS) });
      if (this.kept.size > MAX_ANSWERS) this.kept.delete(this.kept.keys().next().value!);
    };
    return { keep, end };
  }

  taskChanged(taskId: string): void {
    this.kept.delete(taskId);
    const load = this.loads.get(taskId);
    if (load) load.changed = true;
  }
}
