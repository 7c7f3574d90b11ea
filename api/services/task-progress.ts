import { WorkflowClient, WorkflowNotFoundError, type Client } from '@temporalio/client';
import { taskProgressQuery } from '../../pipeline/messages';
import type { PrismaClient } from '../../db/client';
import { TERMINAL_STATES, type TaskProgress } from '../../pipeline/progress';
import { endClosedRun } from '../../activities/closed-runs';
import { waitingMessage } from '../../pipeline/run-progress';
import { queuePosition } from '../../activities/ai-call-slots';
import { pendingMeta } from '../../pipeline/progress-state';
import { isFinal } from '../../pipeline/run-status';
import { progressFromRecord, RECORDED_RUN_FIELDS, type RecordedRun } from '../../pipeline/live-progress';
import { NotFoundError, ServiceUnavailableError } from '../errors';
import { isTemporalUnavailable } from '../unavailable';
import type { TaskEventHub } from '../live-progress/event-hub';
import { ProgressAnswerCache, type AnswerLoad } from './progress-answer-cache';

const QUERY_DEADLINE_MS = 5_000;

type RunRecord = RecordedRun & { taskId: string; startedAt: Date | null; reparsedAt: Date | null };

const RECORD_FIELDS = { ...RECORDED_RUN_FIELDS, taskId: true, startedAt: true, reparsedAt: true } as const;

/** A re-parsed run says so in its answer (`meta.reparsed`), running or finished. */
function markedReparsed(record: { reparsedAt: Date | null }, answer: TaskProgress): TaskProgress {
  return record.reparsedAt ? { ...answer, meta: { ...answer.meta, reparsed: true } } : answer;
}

/**
 * The progress of one task, for its account only. A finished task is answered from its run record
 * (one indexed read, no Temporal call); a running one from the workflow's query, with concurrent
 * polls of the same task sharing one read in flight. With a hub, answers are kept until the task's
 * next announced change (a running one for a second, longer while it stays the same; see
 * ProgressAnswerCache): most polls touch neither database nor Temporal.
 */
export class TaskProgressService {
  /** The last query asked of each task's workflow, settled when it has come back (see queryInTurn). */
  private readonly queries = new Map<string, Promise<void>>();
  /** Set by `close`: no read is left running in the background any more. */
  private closing = false;
  /** Reads under way, by account and task: polls that come meanwhile get the same answer. */
  private readonly inFlight = new Map<string, { answer: Promise<TaskProgress>; load?: AnswerLoad }>();
  /**
   * Temporal answers queries of closed runs too (replaying them): a terminated run would read as
   * still running. Refusing queries of runs that are not open sends those to `closedWithoutRecord`.
   */
  private readonly openRuns: WorkflowClient;

  /** Answers kept between progress changes: only with a hub telling of every change. */
  private readonly answers?: ProgressAnswerCache;

  constructor(
    private readonly prisma: PrismaClient,
    private readonly temporal: Client,
    changes?: TaskEventHub,
  ) {
    this.openRuns = new WorkflowClient({ connection: temporal.connection, namespace: temporal.options.namespace, queryRejectCondition: 'NOT_OPEN' });
    if (changes) this.answers = new ProgressAnswerCache(changes);
  }

  /**
   * Runs the endpoint's reads once before the first poll: Prisma prepares each query shape on its
   * first use, blocking the process for milliseconds that a burst of first polls would all wait for.
   */
  async warm(): Promise<void> {
    await this.prisma.aITaskLog.findFirst({ where: { taskId: '', accountId: 0 }, select: RECORD_FIELDS });
    await this.prisma.aITaskLog.findUnique({ where: { taskId: '' }, select: RECORD_FIELDS });
    await queuePosition(this.prisma, '');
  }

  /** Waits for the reads still under way (a background refresh has no poll waiting for it): none outlives the connections. */
  async close(): Promise<void> {
    this.closing = true;
    while (this.inFlight.size) await Promise.allSettled([...this.inFlight.values()].map((reading) => reading.answer));
  }

  /** Drops what is kept of a task whose run this process just changed (reset, retry, cancel). */
  forget(taskId: string): void {
    this.answers?.taskChanged(taskId);
  }

  async progress(accountId: number, taskId: string): Promise<TaskProgress> {
    const kept = this.answers?.lookup(accountId, taskId);
    if (kept && !kept.fresh) this.refresh(accountId, taskId);
    return this.withPlaceInLine(taskId, kept ? kept.answer : await this.load(accountId, taskId));
  }

  /** Reads a settled answer again without keeping a poll waiting: the next polls get what it finds. */
  private refresh(accountId: number, taskId: string): void {
    if (!this.closing) this.load(accountId, taskId).catch(() => undefined);
  }

  /** The task's answer read afresh, one read at a time per task and account: polls that come meanwhile share it. */
  private load(accountId: number, taskId: string): Promise<TaskProgress> {
    const key = `${accountId} ${taskId}`;
    const existing = this.inFlight.get(key);
    // A read that began before the task's last announced change is not joined: it may answer what came before.
    if (existing && !existing.load?.outdated) return existing.answer;
    const load = this.answers?.loading(taskId);
    const reading = { answer: this.read(accountId, taskId, load), load };
    this.inFlight.set(key, reading);
    const over = () => this.inFlight.get(key) === reading && this.inFlight.delete(key);
    reading.answer.then(over, over);
    return reading.answer;
  }

  /** The task's answer from its record or its workflow (kept for the next polls, when it may be). */
  private async read(accountId: number, taskId: string, load: AnswerLoad | undefined): Promise<TaskProgress> {
    try {
      const record = await this.prisma.aITaskLog.findFirst({ where: { taskId, accountId }, select: RECORD_FIELDS });
      if (!record) throw new NotFoundError(`Task ${taskId} not found.`);
      if (isFinal(record.status)) {
        const finished = markedReparsed(record, progressFromRecord(record));
        load?.keep(accountId, finished, 'final');
        return finished;
      }
      const answer: TaskProgress = markedReparsed(
        record,
        record.startedAt ? await this.queryInTurn(record) : { state: 'PENDING', meta: pendingMeta() },
      );
      // Only a record's answer is kept for good; one the query gave is kept as a running one.
      load?.keep(accountId, answer, 'running');
      return answer;
    } finally {
      load?.end();
    }
  }

  /**
   * A run whose call waits for a slot learned its place when it last asked; the place now (others
   * ahead may have started since) is read from the line itself, one indexed count.
   */
  private async withPlaceInLine(taskId: string, answer: TaskProgress): Promise<TaskProgress> {
    if (answer.meta.queue_position === undefined || TERMINAL_STATES.includes(answer.state)) return answer;
    const position = await queuePosition(this.prisma, taskId);
    const waitingOnly = answer.state === 'PENDING' || answer.meta.message.startsWith('Waiting for a free slot');
    if (position === undefined) {
      // Its call has a slot and is about to start: no place in line any more (none ahead of it).
      const { queue_position: _left, ...meta } = answer.meta;
      return { ...answer, meta: { ...meta, ...(waitingOnly ? { message: waitingMessage(1) } : {}) } };
    }
    return { ...answer, meta: { ...answer.meta, queue_position: position, ...(waitingOnly ? { message: waitingMessage(position) } : {}) } };
  }

  /**
   * One query of a task's workflow at a time from this process: a read that began after a change
   * asks after the one in flight (whose answer may predate the change) has come back. Temporal keeps
   * few queries of one workflow waiting while it is busy and refuses the rest.
   */
  private queryInTurn(record: RunRecord): Promise<TaskProgress> {
    const ahead = this.queries.get(record.taskId);
    const mine = (ahead ?? Promise.resolve()).then(() => this.queryRunning(record));
    const settled = mine.then(
      () => undefined,
      () => undefined,
    );
    this.queries.set(record.taskId, settled);
    void settled.then(() => this.queries.get(record.taskId) === settled && this.queries.delete(record.taskId));
    return mine;
  }

  private async queryRunning(record: RunRecord): Promise<TaskProgress> {
    const handle = this.openRuns.getHandle(record.taskId);
    let answer: TaskProgress;
    try {
      answer = await this.temporal.withDeadline(Date.now() + QUERY_DEADLINE_MS, () => handle.query(taskProgressQuery));
    } catch (err) {
      if (isTemporalUnavailable(err)) {
        throw new ServiceUnavailableError('Temporal is unreachable, so the progress of running tasks cannot be read; try again shortly.');
      }
      // The run closed between the database read and the query: its record is (about to be) complete.
      const finished = await this.finishedFromRecord(record.taskId);
      if (finished) return finished;
      if (err instanceof WorkflowNotFoundError) throw new NotFoundError(`Task ${record.taskId} not found.`);
      return this.closedWithoutRecord(record);
    }
    if (answer.state === 'PROGRESS' || answer.state === 'PENDING') return answer;
    // The run has ended: its record was completed first, and answering from it keeps the answer
    // the same on every poll (a query answered by a replaying worker may time steps differently).
    return (await this.finishedFromRecord(record.taskId)) ?? answer;
  }

  /** The answer of a run whose record is complete, read afresh; undefined while it is pending. */
  private async finishedFromRecord(taskId: string): Promise<TaskProgress | undefined> {
    const fresh = await this.prisma.aITaskLog.findUnique({ where: { taskId }, select: RECORD_FIELDS });
    return fresh && isFinal(fresh.status) ? progressFromRecord(fresh) : undefined;
  }

  /**
   * A run ended outside the service (terminated, timed out) never completes its record: the poll
   * that finds it closed ends it everywhere (record, slots, credits, stream) and answers that.
   */
  private async closedWithoutRecord(record: RunRecord): Promise<TaskProgress> {
    return (await endClosedRun({ prisma: this.prisma, temporal: this.temporal }, record.taskId)) ?? progressFromRecord(record, 'PROGRESS');
  }
}
