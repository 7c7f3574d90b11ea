import { WorkflowClient, WorkflowNotFoundError, type Client } from '@temporalio/client';
import { taskProgressQuery } from '../../pipeline/messages';
import type { PrismaClient } from '../../db/client';
import type { TaskProgress, TaskState } from '../../pipeline/progress';
import { pendingMeta } from '../../pipeline/progress-state';
import { isFinal } from '../../pipeline/run-status';
import { progressFromRecord, RECORDED_RUN_FIELDS, type RecordedRun } from '../../pipeline/live-progress';
import { NotFoundError, ServiceUnavailableError } from '../errors';
import { isTemporalUnavailable } from '../unavailable';

const QUERY_DEADLINE_MS = 5_000;

type RunRecord = RecordedRun & { taskId: string; startedAt: Date | null };

const RECORD_FIELDS = { ...RECORDED_RUN_FIELDS, taskId: true, startedAt: true } as const;

/**
 * The progress of one task, for its account only. A finished task is answered from its run record
 * (one indexed read, no Temporal call); a running one from the workflow's query, with concurrent
 * polls of the same task sharing one query in flight.
 */
export class TaskProgressService {
  private readonly inFlight = new Map<string, Promise<TaskProgress>>();
  /**
   * Temporal answers queries of closed runs too (replaying them): a terminated run would read as
   * still running. Refusing queries of runs that are not open sends those to `closedWithoutRecord`.
   */
  private readonly openRuns: WorkflowClient;

  constructor(
    private readonly prisma: PrismaClient,
    private readonly temporal: Client,
  ) {
    this.openRuns = new WorkflowClient({ connection: temporal.connection, namespace: temporal.options.namespace, queryRejectCondition: 'NOT_OPEN' });
  }

  async progress(accountId: number, taskId: string): Promise<TaskProgress> {
    const record = await this.prisma.aITaskLog.findFirst({ where: { taskId, accountId }, select: RECORD_FIELDS });
    if (!record) throw new NotFoundError(`Task ${taskId} not found.`);
    if (isFinal(record.status)) return progressFromRecord(record);
    if (!record.startedAt) return { state: 'PENDING', meta: pendingMeta() };
    return this.shared(taskId, () => this.queryRunning(record));
  }

  private shared(taskId: string, load: () => Promise<TaskProgress>): Promise<TaskProgress> {
    const existing = this.inFlight.get(taskId);
    if (existing) return existing;
    const pending = load().finally(() => this.inFlight.delete(taskId));
    this.inFlight.set(taskId, pending);
    return pending;
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

  /** Terminated or timed-out runs never complete their record: they read as FAILURE. */
  private async closedWithoutRecord(record: RunRecord): Promise<TaskProgress> {
    const description = await this.temporal.workflow.getHandle(record.taskId).describe();
    const status = description.status.name;
    if (status === 'RUNNING') return progressFromRecord(record, 'PROGRESS');
    const state: TaskState = status === 'CANCELLED' ? 'REVOKED' : status === 'COMPLETED' ? 'SUCCESS' : 'FAILURE';
    const error = state === 'FAILURE' ? `The run ended as ${status.toLowerCase().replace(/_/g, ' ')}.` : undefined;
    return { ...progressFromRecord(record, state), ...(error ? { error } : {}) };
  }
}
