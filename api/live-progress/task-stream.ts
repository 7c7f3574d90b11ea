import { isFinal } from '../../pipeline/run-status';
import type { ServerResponse } from 'node:http';
import type { FastifyBaseLogger } from 'fastify';
import type { PrismaClient } from '../../db/client';
import type { TaskProgress } from '../../pipeline/progress';
import { TERMINAL_STATES } from '../../pipeline/progress';
import type { TaskEventHub } from './event-hub';
import type { TaskProgressService } from '../services/task-progress';
import { TooManyRequestsError } from '../errors';

/**
 * Rows read per query; a long backlog is sent in several reads. While a client does not read, the
 * stream holds at most one read's rows (and the socket's buffer), so this also bounds its memory.
 */
const READ_BATCH = 50;

/** Streams one account may have open on one API process at once, unless told otherwise. */
export const DEFAULT_MAX_STREAMS_PER_ACCOUNT = 20;

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
  /** Streams one account may have open on this process at once (20); each holds a socket and a subscription. */
  maxStreamsPerAccount?: number;
}

/** How a stream was opened: `endsAtMs` is when the stream token it was opened with expires (none with an API key). */
export interface StreamOpening {
  accountId: number;
  taskId: string;
  /** The client's Last-Event-ID when it reconnects. */
  afterId?: number;
  endsAtMs?: number;
}

/** Every open stream of this API process, so closing the app ends them (an open response would hold it up). */
export class TaskStreams {
  private readonly streams = new Set<TaskStream>();
  private readonly openPerAccount = new Map<number, number>();

  constructor(private readonly deps: TaskStreamDeps) {}

  /**
   * Opens a task's stream: listening starts before anything is read, so no row falls between the
   * backlog and the live rows. An account with its most streams open already is refused (429).
   */
  async open(opening: StreamOpening): Promise<TaskStream> {
    const { accountId } = opening;
    const max = this.deps.maxStreamsPerAccount ?? DEFAULT_MAX_STREAMS_PER_ACCOUNT;
    const open = this.openPerAccount.get(accountId) ?? 0;
    if (open >= max) {
      throw new TooManyRequestsError(
        `This account has ${max} live progress streams open on this server, the most it may have at once; close one, or poll the progress endpoint.`,
      );
    }
    this.openPerAccount.set(accountId, open + 1);
    const stream = new TaskStream(this.deps, opening, () => {
      this.streams.delete(stream);
      const left = (this.openPerAccount.get(accountId) ?? 1) - 1;
      if (left > 0) this.openPerAccount.set(accountId, left);
      else this.openPerAccount.delete(accountId);
    });
    try {
      await stream.subscribe();
    } catch (err) {
      stream.end();
      throw err;
    }
    this.streams.add(stream);
    return stream;
  }

  /** The app is closing: every stream ends, those of clients that stopped reading at once. */
  endAll(): void {
    for (const stream of [...this.streams]) stream.end({ abandonStalled: true });
  }
}

/**
 * One client's stream of a task: the rows after its last event id, then live rows as the hub wakes
 * it, each as `id`, `event`, `data`; keep-alive comments; the end after `done`. Reads and writes are
 * serialised, so events go out once each and in id order. A client that does not read fills the
 * socket's buffer; the stream then stops reading rows until the socket drains (the rows wait in the
 * table, and reading resumes after the last one sent), so it cannot grow the process's memory.
 */
export class TaskStream {
  private readonly accountId: number;
  private readonly taskId: string;
  private readonly afterId: number | undefined;
  private readonly endsAtMs: number | undefined;
  private lastId: number;
  private res?: ServerResponse;
  private unsubscribe?: () => void;
  private keepAlive?: NodeJS.Timeout;
  private expiry?: NodeJS.Timeout;
  private work: Promise<void> = Promise.resolve();
  private readQueued = false;
  private sentSinceTick = false;
  /** Waiting for the socket to drain: keep-alive checks are left to the read under way. */
  private waitingForDrain = false;
  private ended = false;

  constructor(
    private readonly deps: TaskStreamDeps,
    opening: StreamOpening,
    private readonly onEnd: () => void,
  ) {
    this.accountId = opening.accountId;
    this.taskId = opening.taskId;
    this.afterId = opening.afterId;
    this.endsAtMs = opening.endsAtMs;
    this.lastId = opening.afterId ?? 0;
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
    // A stream opened with a token lasts as long as the token: the client reconnects with a fresh stream_url.
    if (this.endsAtMs !== undefined) this.expiry = setTimeout(() => this.expire(), Math.max(0, this.endsAtMs - Date.now()));
    this.enqueue(async () => {
      const answer = await this.deps.progress.progress(this.accountId, this.taskId);
      // Accepted but not yet running: the client renders the PENDING answer at once.
      if (answer.state === 'PENDING' && this.afterId === undefined) this.write('progress', answer);
      await this.readNewRows();
      // A run that ended without a `done` row (terminated, timed out, or from before live progress).
      if (TERMINAL_STATES.includes(answer.state)) this.finish(answer);
    });
  }

  /**
   * Ends the stream; the response ends once the client has read what was written. With
   * `abandonStalled`, a client that stopped reading is cut off instead, since it would hold the
   * response open for ever (it resumes with Last-Event-ID when it reconnects).
   */
  end(options: { abandonStalled?: boolean } = {}): void {
    if (this.ended) return;
    this.ended = true;
    clearInterval(this.keepAlive);
    clearTimeout(this.expiry);
    this.unsubscribe?.();
    if (this.res && options.abandonStalled && this.res.writableNeedDrain) this.res.destroy();
    else if (this.res && !this.res.writableEnded) this.res.end();
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
    // A client that is not reading needs no keep-alive, and the read under way does the checks after the drain.
    if (this.waitingForDrain) return;
    if (this.res && !this.res.destroyed && !this.res.writableNeedDrain) this.res.write(': keep-alive\n\n');
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
        if (!this.write(row.event, row.data, row.id)) await this.drained();
      }
      if (!more) return;
    }
  }

  /** Resolves once the socket has taken what was written (or the stream ended). */
  private async drained(): Promise<void> {
    const res = this.res;
    if (!res || this.ended || !res.writableNeedDrain) return;
    this.waitingForDrain = true;
    try {
      await new Promise<void>((resolve) => {
        const done = () => {
          res.off('drain', done);
          res.off('close', done);
          resolve();
        };
        res.on('drain', done);
        res.on('close', done);
      });
    } finally {
      this.waitingForDrain = false;
    }
  }

  /** The token the stream was opened with has expired: the stream ends (the client takes a fresh stream_url). */
  private expire(): void {
    if (this.ended) return;
    if (this.res && !this.res.destroyed && !this.res.writableNeedDrain) this.res.write(': the stream token has expired; open a fresh stream_url\n\n');
    this.end({ abandonStalled: true });
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

  /** Writes one event; false when the socket's buffer is full and the caller should wait for it to drain. */
  private write(event: string, data: unknown, id?: number): boolean {
    if (this.ended || !this.res || this.res.writableEnded || this.res.destroyed) return true;
    if (id !== undefined) this.lastId = id;
    this.sentSinceTick = true;
    return this.res.write(`${id !== undefined ? `id: ${id}\n` : ''}event: ${event}\ndata: ${JSON.stringify(data)}\n\n`);
  }
}
