import type { PrismaClient } from '../db/client';
import type { TaskProgress } from '../core/progress';
import {
  applyProgressUpdate,
  progressFromRecord,
  RECORDED_RUN_FIELDS,
  TASK_EVENTS_CHANNEL,
  type LiveProgressEvent,
  type TaskEventName,
  type TextEventData,
} from '../core/task-events';
import type { ActivityDeps } from './deps';

/** Namespaces this module's advisory locks (the two-key form), apart from any other lock user. */
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
           RETURNING id
         )
    SELECT id, pg_notify(${TASK_EVENTS_CHANNEL}, id::text)::text AS notified FROM inserted`;
  return rows[0].id;
}


/** The `publishProgress` local activity, called by the pipeline at every progress change. */
export function createTaskEventActivities({ prisma }: ActivityDeps) {
  /**
   * A `progress` event is the previous progress answer with the workflow's update applied (the
   * update holds only what changed, to keep history small); `done` is the completed run record's
   * polling answer, so the stream's last word equals the poll's.
   */
  async function publishProgress(live: LiveProgressEvent): Promise<void> {
    if (live.event === 'done') {
      const record = await prisma.aITaskLog.findUnique({ where: { taskId: live.taskId }, select: RECORDED_RUN_FIELDS });
      if (!record || record.status === 'pending') return;
      await publishTaskEvent(prisma, live.taskId, 'done', progressFromRecord(record));
      return;
    }
    const previous = await prisma.taskEvent.findFirst({
      where: { taskId: live.taskId, event: 'progress' },
      orderBy: { id: 'desc' },
      select: { data: true },
    });
    const progress = applyProgressUpdate(previous?.data as TaskProgress | undefined, live.update);
    await publishTaskEvent(prisma, live.taskId, 'progress', progress);
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
