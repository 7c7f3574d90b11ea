import { isFinal } from '../pipeline/run-status';
import { Context } from '@temporalio/activity';
import type { Prisma, PrismaClient } from '../db/client';
import type { TaskProgress } from '../pipeline/progress';
import {
  applyProgressUpdate,
  progressFromRecord,
  RECORDED_RUN_FIELDS,
  TASK_EVENTS_CHANNEL,
  type LiveProgressEvent,
  type TaskEventName,
  type TextEventData,
} from '../pipeline/live-progress';
import type { ActivityDeps } from './deps';

/** Namespaces the task-event advisory locks (the two-key form), apart from any other lock user; the database function publish_task_snapshot takes the same (7461). */
const TASK_EVENTS_LOCK_CLASS = 7_461;

/**
 * Stores one event of a task's live stream and notifies every API process. Inserts for one task
 * are serialised by a transaction-scoped advisory lock taken before the id is drawn, so a task's
 * rows commit in id order: a listener that reads "rows after the last one I sent" never skips a
 * row committed late. Insert and notification are one statement, so both happen or neither.
 */
export async function publishTaskEvent(prisma: PrismaClient, taskId: string, event: TaskEventName, data: unknown): Promise<number> {
  const rows = await prisma.$queryRaw<Array<{ id: number }>>`
    WITH task_lock AS (SELECT pg_advisory_xact_lock(${TASK_EVENTS_LOCK_CLASS}::int, hashtext(${taskId}))),
         inserted AS (
           INSERT INTO task_events (task_id, event, data)
           SELECT ${taskId}, ${event}, ${JSON.stringify(data)}::jsonb FROM task_lock
           RETURNING id, task_id
         )
    SELECT id, pg_notify(${TASK_EVENTS_CHANNEL}, id::text || ' ' || task_id)::text AS notified FROM inserted`;
  return rows[0].id;
}

/**
 * Tells every API process that a task changed without a row of its own (a reset reopened its
 * record): what they keep of its progress is dropped. Row id 0 is no row; sent at commit.
 */
export function announceTaskChange(prisma: PrismaClient, taskId: string) {
  return prisma.$executeRaw`SELECT pg_notify(${TASK_EVENTS_CHANNEL}, '0 ' || ${taskId}::text)`;
}

/**
 * Stores a progress snapshot of a run and notifies, unless a newer snapshot of the same run is
 * stored already: a run's steps may finish out of order, and a snapshot is the whole answer, so a
 * late, older one is simply dropped. The running record's phase, message and percentage follow (the
 * task list shows where each running task is). One call of the database's `publish_task_snapshot`
 * (migration publish_task_snapshot): one round trip, inside the caller's transaction or on its own.
 * A done snapshot goes through the same gate.
 */
export async function publishSnapshot(
  db: PrismaClient | Prisma.TransactionClient,
  taskId: string,
  published: { runId: string; seq: number; progress: TaskProgress },
  event: 'progress' | 'done' = 'progress',
): Promise<void> {
  const { meta } = published.progress;
  await db.$queryRaw`
    SELECT publish_task_snapshot(${taskId}, ${event}, ${JSON.stringify(published.progress)}::jsonb, ${published.runId}, ${published.seq}::int,
                                 ${meta.phase}, ${meta.message}, ${meta.percentage}::int, ${TASK_EVENTS_CHANNEL})::int AS id`;
}

/** The run (workflow and run id) a publishing local activity works for. */
function runKey(taskId: string): string {
  return `${taskId}/${Context.current().info.workflowExecution?.runId ?? ''}`;
}

/** Runs whose last published progress this worker keeps, oldest dropped first. */
const LAST_PUBLISHED_LIMIT = 5_000;

/** The `publishProgress` local activity, called by the pipeline at every progress change. */
export function createTaskEventActivities({ prisma }: ActivityDeps) {
  /**
   * The progress this worker last published for a run (workflow and run id), with its update's
   * number. The next update of that run builds on it without reading it back, but only when it is
   * the very next one: after a failed publish, a move to another worker or a reset, the previous
   * event is read from the table.
   */
  const lastPublished = new Map<string, { seq: number; progress: TaskProgress }>();
  /**
   * A `progress` event is the previous progress answer with the workflow's update applied (the
   * update holds only what changed, to keep history small); `done` is the completed run record's
   * polling answer, so the stream's last word equals the poll's.
   */
  async function publishProgress(live: LiveProgressEvent): Promise<void> {
    if (live.event === 'done') {
      lastPublished.delete(runKey(live.taskId));
      const record = await prisma.aITaskLog.findUnique({ where: { taskId: live.taskId }, select: RECORDED_RUN_FIELDS });
      if (!record || !isFinal(record.status)) return;
      await publishTaskEvent(prisma, live.taskId, 'done', progressFromRecord(record));
      return;
    }
    const run = runKey(live.taskId);
    const seq = live.update.seq;
    const cached = lastPublished.get(run);
    const previous =
      cached && seq !== undefined && cached.seq === seq - 1
        ? cached.progress
        : ((
            await prisma.taskEvent.findFirst({
              where: { taskId: live.taskId, event: 'progress' },
              orderBy: { id: 'desc' },
              select: { data: true },
            })
          )?.data as TaskProgress | undefined);
    const progress = applyProgressUpdate(previous, live.update);
    await publishTaskEvent(prisma, live.taskId, 'progress', progress);
    lastPublished.delete(run);
    if (seq !== undefined) lastPublished.set(run, { seq, progress });
    if (lastPublished.size > LAST_PUBLISHED_LIMIT) lastPublished.delete(lastPublished.keys().next().value!);
  }

  return { publishProgress };
}

const TEXT_BATCH_MS = 250;

/**
 * Streams an article's text to live listeners in batches (at most one event per 250 ms, and the
 * rest at the end), in order. Publishing never fails the AI call: a lost piece is only a gap in
 * the live view, the stored answer is whole.
 */
export class TextEventPublisher {
  private buffer = '';
  private timer?: NodeJS.Timeout;
  private lastSent = 0;
  private sending: Promise<void> = Promise.resolve();

  constructor(
    private readonly prisma: PrismaClient,
    private readonly taskId: string,
    private readonly item: string,
    private readonly attempt: number,
    private readonly onError: (err: unknown) => void = () => undefined,
  ) {}

  add(piece: string): void {
    this.buffer += piece;
    if (this.timer) return;
    const wait = Math.max(0, this.lastSent + TEXT_BATCH_MS - Date.now());
    this.timer = setTimeout(() => this.flush(), wait);
  }

  /** Sends what is left; resolves when every batch is out. */
  async close(): Promise<void> {
    this.flush();
    await this.sending;
  }

  private flush(): void {
    clearTimeout(this.timer);
    this.timer = undefined;
    if (!this.buffer) return;
    const data: TextEventData = { item: this.item, text: this.buffer, attempt: this.attempt };
    this.buffer = '';
    this.lastSent = Date.now();
    this.sending = this.sending.then(() => publishTaskEvent(this.prisma, this.taskId, 'text', data).then(() => undefined, this.onError));
  }
}
