import { isFinal } from '../../pipeline/run-status';
import type { ServerResponse } from 'node:http';
import type { FastifyBaseLogger } from 'fastify';
import type { PrismaClient } from '../../db/client';
import type { TaskProgress } from '../../pipeline/progress';
import { TERMINAL_STATES } from '../../pipeline/progress';
import type { TaskEventHub } from './event-hub';
import type { TaskProgressService } from '../services/task-progress';

/** Rows read per query; a long backlog is sent in several reads. */
const READ_BATCH = 200;

export const SSE_HEADERS = {
  'content-type': 'text/event-stream; charset=utf-8',
  'cache-control': 'no-cache',
  connection: 'keep-alive',
  // nginx would otherwise buffer the stream and deliver it in lumps.
  'x-accel-buffering': 'no',
};

export interface TaskStreamDeps {
  prisma: PrismaClient;
  hub: TaskEventHub;
  progress: TaskProgressService;
  log: FastifyBaseLogger;
  /** Milliseconds between keep-alive comments (15 s: below common proxy idle timeouts). */
  keepAliveMs: number;
}

/** Every open stream of this API process, so closing the app ends them (an open response would hold it up). */
export class TaskStreams {
  private readonly streams = new Set<TaskStream>();

  constructor(private readonly deps: TaskStreamDeps) {}

  /**
   * Opens a task's stream: listening starts before anything is read, so no row falls between the
   * backlog and the live rows. `afterId` is the client's Last-Event-ID when it reconnects.
   */
  async open(accountId: number, taskId: string, afterId: number | undefined): Promise<TaskStream> {
    const stream = new TaskStream(this.deps, accountId, taskId, afterId, () => this.streams.delete(stream));
    await stream.subscribe();
    this.streams.add(stream);
    return stream;
  }

  endAll(): void {
    for (const stream of [...this.streams]) stream.end();
  }
}

/**
 * One client's stream of a task: the rows after its last event id, then live rows as the hub wakes
 * it, each as `id`, `event`, `data`; keep-alive comments; the end after `done`. Reads and writes are
 * serialised, so events go out once each and in id order.
 */
export class TaskStream {
  private lastId: number;
  private res?: ServerResponse;
  private unsubscribe?: () => void;
  private keepAlive?: NodeJS.Timeout;
  private work: Promise<void> = Promise.resolve();
  private readQueued = false;
  private sentSinceTick = false;
  private ended = false;

  constructor(
    private readonly deps: TaskStreamDeps,
    private readonly accountId: number,
    private readonly taskId: string,
    private readonly afterId: number | undefined,
    private readonly onEnd: () => void,
  ) {
    this.lastId = afterId ?? 0;
  }

  async subscribe(): Promise<void> {
    this.unsubscribe = await this.deps.hub.subscribe(this.taskId, () => this.wake());
  }

  /**
   * A client resuming after it has seen the end gets no stream: answering 204 is what stops an
   * `EventSource` from reconnecting for ever.
   */
  async seenTheEnd(): Promise<boolean> {
    if (this.afterId === undefined) return false;
    const newer = await this.deps.prisma.taskEvent.count({ where: { taskId: this.taskId, id: { gt: this.afterId } } });
    return newer === 0 && TERMINAL_STATES.includes((await this.deps.progress.progress(this.accountId, this.taskId)).state);
  }

  /** Streams to `res` (headers already written) until `done`, the client leaves or the app closes. */
  start(res: ServerResponse): void {
    this.res = res;
    res.on('close', () => this.end());
    res.on('error', () => this.end());
    if (res.destroyed) return this.end();
    this.keepAlive = setInterval(() => this.tick(), this.deps.keepAliveMs);
    this.enqueue(async () => {
      const answer = await this.deps.progress.progress(this.accountId, this.taskId);
      // Accepted but not yet running: the client renders the PENDING answer at once.
      if (answer.state === 'PENDING' && this.afterId === undefined) this.write('progress', answer);
      await this.readNewRows();
      // A run that ended without a `done` row (terminated, timed out, or from before live progress).
      if (TERMINAL_STATES.includes(answer.state)) this.finish(answer);
    });
  }

  end(): void {
    if (this.ended) return;
    this.ended = true;
    clearInterval(this.keepAlive);
    this.unsubscribe?.();
    if (this.res && !this.res.writableEnded) this.res.end();
    this.onEnd();
  }

  private wake(): void {
    if (this.readQueued) return;
    this.readQueued = true;
    this.enqueue(async () => {
      this.readQueued = false;
      await this.readNewRows();
    });
  }

  /**
   * Keep-alive; and when nothing came since the last one, a check that the run has not ended
   * without a word (terminated) and that no wake-up was lost (the LISTEN connection dropped).
   */
  private tick(): void {
    if (this.res && !this.res.destroyed) this.res.write(': keep-alive\n\n');
    if (this.sentSinceTick) {
      this.sentSinceTick = false;
      return;
    }
    this.enqueue(async () => {
      await this.readNewRows();
      if (this.ended) return;
      const answer = await this.deps.progress.progress(this.accountId, this.taskId);
      if (TERMINAL_STATES.includes(answer.state)) {
        await this.readNewRows();
        this.finish(answer);
      }
    });
  }

  private enqueue(job: () => Promise<void>): void {
    this.work = this.work
      .then(() => (this.ended ? undefined : job()))
      .catch((err) => this.deps.log.warn({ err, taskId: this.taskId }, 'live progress: reading task events failed; retrying at the next keep-alive'));
  }

  private async readNewRows(): Promise<void> {
    for (;;) {
      if (this.ended) return;
      const rows = await this.deps.prisma.taskEvent.findMany({
        where: { taskId: this.taskId, id: { gt: this.lastId } },
        orderBy: { id: 'asc' },
        take: READ_BATCH + 1,
        select: { id: true, event: true, data: true },
      });
      const more = rows.length > READ_BATCH;
      const batch = rows.slice(0, READ_BATCH);
      for (const [index, row] of batch.entries()) {
        if (this.ended) return;
        if (row.event === 'done') {
          // A reset run goes on after its first end: that `done` is superseded by what follows.
          const superseded = index < batch.length - 1 || more || (await this.reopened());
          this.lastId = row.id;
          if (superseded) continue;
          this.write('done', row.data, row.id);
          this.end();
          return;
        }
        this.write(row.event, row.data, row.id);
      }
      if (!more) return;
    }
  }

  /** A reset reopens the run record before its run goes on. */
  private async reopened(): Promise<boolean> {
    const record = await this.deps.prisma.aITaskLog.findUnique({ where: { taskId: this.taskId }, select: { status: true } });
    return record !== null && !isFinal(record.status);
  }

  private finish(answer: TaskProgress): void {
    if (this.ended) return;
    this.write('done', answer);
    this.end();
  }

  private write(event: string, data: unknown, id?: number): void {
    if (this.ended || !this.res || this.res.writableEnded || this.res.destroyed) return;
    if (id !== undefined) this.lastId = id;
    this.sentSinceTick = true;
    this.res.write(`${id !== undefined ? `id: ${id}\n` : ''}event: ${event}\ndata: ${JSON.stringify(data)}\n\n`);
  }
}
