import type { ChangeWatcher, TaskEventHub } from '../../api/live-progress/event-hub';
import { ProgressAnswerCache, RUNNING_ANSWER_MS, SETTLED_RUNNING_ANSWER_MS } from '../../api/services/progress-answer-cache';
import { pendingMeta } from '../../pipeline/progress-state';
import type { TaskProgress } from '../../pipeline/progress';

/** A hub that is listening, and tells the cache what the test says was announced. */
function fakeHub() {
  const watchers: ChangeWatcher[] = [];
  const hub = { listening: true, watch: (w: ChangeWatcher) => void watchers.push(w) } as unknown as TaskEventHub;
  return { hub, announce: (taskId: string) => watchers.forEach((w) => w.taskChanged(taskId)), lose: () => watchers.forEach((w) => w.listeningLost()) };
}

const answer = (percentage: number, message = 'Calling the model'): TaskProgress => ({
  state: 'PROGRESS',
  meta: { ...pendingMeta(), phase: 'AI_CALL', percentage, message },
});

describe('kept progress answers', () => {
  let now = 0;
  let cache: ProgressAnswerCache;
  let hub: ReturnType<typeof fakeHub>;
  beforeEach(() => {
    now = 1_000_000;
    hub = fakeHub();
    cache = new ProgressAnswerCache(hub.hub, () => now);
  });

  /** Expires what is kept of the task, then loads `value` as a poll would; answers how long it is kept. */
  const reload = (value: TaskProgress): number => {
    expect(cache.get(1, 't')).toBeUndefined();
    cache.loading('t').keep(1, value, 'running');
    const loadedAt = now;
    let kept = 0;
    while (cache.get(1, 't') !== undefined) {
      kept += 100;
      now = loadedAt + kept;
    }
    return kept;
  };

  it('keeps a running answer longer each time it comes back unchanged, up to a bound', () => {
    const times = [reload(answer(40)), reload(answer(40)), reload(answer(40)), reload(answer(40)), reload(answer(40)), reload(answer(40))];
    expect(times).toEqual([RUNNING_ANSWER_MS, 2 * RUNNING_ANSWER_MS, 4 * RUNNING_ANSWER_MS, 8 * RUNNING_ANSWER_MS, SETTLED_RUNNING_ANSWER_MS, SETTLED_RUNNING_ANSWER_MS]);
  });

  it('starts again at the shortest time when the answer changed or a change was announced', () => {
    reload(answer(40));
    expect(reload(answer(40))).toBe(2 * RUNNING_ANSWER_MS);
    expect(reload(answer(41))).toBe(RUNNING_ANSWER_MS);
    expect(reload(answer(41))).toBe(2 * RUNNING_ANSWER_MS);
    expect(reload(answer(41, 'Waiting for a free slot (1 ahead)'))).toBe(RUNNING_ANSWER_MS);

    expect(reload(answer(41, 'Waiting for a free slot (1 ahead)'))).toBe(2 * RUNNING_ANSWER_MS);
    cache.loading('t').keep(1, answer(41), 'running');
    hub.announce('t');
    // Dropped at once, and the same answer read again after the announcement is not "settled".
    expect(reload(answer(41))).toBe(RUNNING_ANSWER_MS);
  });

  it('answers a settled answer past its time while it is read again, and nothing that has not settled', () => {
    cache.loading('t').keep(1, answer(40), 'running');
    now += RUNNING_ANSWER_MS;
    // Not yet known to stay the same: the poll waits for a fresh read.
    expect(cache.lookup(1, 't')).toBeUndefined();
    cache.loading('t').keep(1, answer(40), 'running');
    now += 2 * RUNNING_ANSWER_MS;
    expect(cache.lookup(1, 't')).toEqual({ answer: answer(40), fresh: false });
    expect(cache.get(1, 't')).toBeUndefined();
    expect(() => cache.lookup(2, 't')).toThrow('Task t not found.');
    // Long past its time (as long again as it was kept): read afresh.
    now += 2 * RUNNING_ANSWER_MS;
    expect(cache.lookup(1, 't')).toBeUndefined();
    // An announced change drops a settled answer as any other.
    cache.loading('t').keep(1, answer(40), 'running');
    hub.announce('t');
    expect(cache.lookup(1, 't')).toBeUndefined();
  });

  it('keeps nothing a change was announced during, and nothing across a lost connection', () => {
    const load = cache.loading('t');
    hub.announce('t');
    load.keep(1, answer(50), 'running');
    expect(cache.get(1, 't')).toBeUndefined();

    cache.loading('t').keep(1, answer(50), 'running');
    expect(cache.get(1, 't')).toEqual(answer(50));
    hub.lose();
    expect(cache.get(1, 't')).toBeUndefined();
  });

  it('keeps what a load that began after an announced change brings, while an older load is still out', () => {
    const older = cache.loading('t');
    hub.announce('t');
    const newer = cache.loading('t');
    expect(older.outdated).toBe(true);
    expect(newer.outdated).toBe(false);
    newer.keep(1, answer(70), 'running');
    expect(cache.get(1, 't')).toEqual(answer(70));
    older.keep(1, answer(65), 'running');
    expect(cache.get(1, 't')).toEqual(answer(70));
  });

  it("answers another account's poll of a kept task with a 404", () => {
    cache.loading('t').keep(1, answer(60), 'running');
    expect(() => cache.get(2, 't')).toThrow('Task t not found.');
  });
});
