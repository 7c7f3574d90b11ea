import type { Client } from '@temporalio/client';
import { tsToMs } from '@temporalio/common/lib/time';
import type { PrismaClient } from '../../db/client';
import type { TaskProgress } from '../../pipeline/progress';
import type { RecordedRequest } from '../../tools/demo-provider/request-record';
import type { FaultStack } from './fault-stack';

export type History = Awaited<ReturnType<ReturnType<Client['workflow']['getHandle']>['fetchHistory']>>;
type HistoryEvent = NonNullable<History['events']>[number];

/** One activity as the history tells it: scheduled once, started by its last attempt, then closed. */
export interface ActivityRun {
  type: string;
  scheduledAt: number;
  /** The last attempt's start (the history keeps only that one's). */
  startedAt?: number;
  attempt: number;
  identity?: string;
  /** What the attempt before the last one failed with. */
  lastFailure?: string;
  closedAs?: 'completed' | 'failed' | 'timed out' | 'cancelled';
  closedAt?: number;
}

const CLOSE_EVENTS = [
  'workflowExecutionCompletedEventAttributes',
  'workflowExecutionFailedEventAttributes',
  'workflowExecutionTimedOutEventAttributes',
  'workflowExecutionTerminatedEventAttributes',
  'workflowExecutionCanceledEventAttributes',
  'workflowExecutionContinuedAsNewEventAttributes',
] as const;

export async function historyOf(temporal: Client, taskId: string): Promise<HistoryEvent[]> {
  const history = await temporal.workflow.getHandle(taskId).fetchHistory();
  return history.events ?? [];
}

const timeOf = (event: HistoryEvent) => tsToMs(event.eventTime);
const key = (id: unknown) => String(id);

export function activityRuns(events: HistoryEvent[]): ActivityRun[] {
  const runs = new Map<string, ActivityRun>();
  for (const event of events) {
    const scheduled = event.activityTaskScheduledEventAttributes;
    if (scheduled) runs.set(key(event.eventId), { type: scheduled.activityType?.name ?? '', scheduledAt: timeOf(event), attempt: 0 });
    const started = event.activityTaskStartedEventAttributes;
    const run = (id: unknown) => runs.get(key(id));
    if (started) {
      Object.assign(run(started.scheduledEventId)!, {
        startedAt: timeOf(event),
        attempt: started.attempt ?? 1,
        identity: started.identity ?? undefined,
        lastFailure: started.lastFailure?.message ?? undefined,
      });
    }
    const closes = [
      ['completed', event.activityTaskCompletedEventAttributes],
      ['failed', event.activityTaskFailedEventAttributes],
      ['timed out', event.activityTaskTimedOutEventAttributes],
      ['cancelled', event.activityTaskCanceledEventAttributes],
    ] as const;
    for (const [closedAs, attributes] of closes) {
      if (attributes) Object.assign(run(attributes.scheduledEventId)!, { closedAs, closedAt: timeOf(event) });
    }
  }
  return [...runs.values()];
}

export function runsOf(events: HistoryEvent[], type: string): ActivityRun[] {
  return activityRuns(events).filter((r) => r.type === type);
}

/** Every payload in a history (inputs, results, heartbeat details, memo, markers) with its size. */
export function payloadSizes(events: HistoryEvent[]): Array<{ event: string; bytes: number }> {
  const found: Array<{ event: string; bytes: number }> = [];
  const visit = (value: unknown, event: string, depth: number): void => {
    if (!value || typeof value !== 'object' || depth > 12) return;
    if (value instanceof Uint8Array) return;
    const record = value as Record<string, unknown>;
    if (record.data instanceof Uint8Array && 'metadata' in record) {
      found.push({ event, bytes: record.data.byteLength });
      return;
    }
    for (const child of Object.values(record)) visit(child, event, depth + 1);
  };
  for (const event of events) {
    const attributes = Object.keys(event).find((k) => k.endsWith('EventAttributes') && (event as Record<string, unknown>)[k]);
    visit(event, attributes ?? 'event', 0);
  }
  return found;
}

/**
 * What every fault test asserts at the end: the run closed exactly once, in the state the progress
 * endpoint and the run record report; the provider was called no more often than the AI step was
 * attempted; and nothing of the run is still pending on the server.
 */
export async function expectSettledOnce(
  stack: Pick<FaultStack, 'temporal' | 'prisma'>,
  options: {
    taskId: string;
    final: TaskProgress;
    state: 'SUCCESS' | 'FAILURE';
    providerCalls: RecordedRequest[];
  },
): Promise<HistoryEvent[]> {
  const { temporal } = stack;
  const { taskId, final, state } = options;
  // The run record is completed just before the workflow returns: wait for the close itself.
  const closed = temporal.workflow.getHandle(taskId).result().then(
    () => 'completed',
    () => 'failed',
  );
  expect(await within('the run closes', closed, 30_000)).toBe(state === 'SUCCESS' ? 'completed' : 'failed');
  const events = await historyOf(temporal, taskId);
  const closes = events.filter((e) => CLOSE_EVENTS.some((attributes) => e[attributes]));
  expect(closes).toHaveLength(1);
  expect(Boolean(closes[0][state === 'SUCCESS' ? 'workflowExecutionCompletedEventAttributes' : 'workflowExecutionFailedEventAttributes'])).toBe(true);
  expect(final.state).toBe(state);
  const record = await stack.prisma.aITaskLog.findUnique({ where: { taskId } });
  expect(record?.status).toBe(state === 'SUCCESS' ? 'success' : 'error');

  const aiRuns = runsOf(events, 'requestCompletion');
  const attempts = aiRuns.reduce((sum, r) => sum + r.attempt, 0);
  expect(options.providerCalls.length).toBeGreaterThan(0);
  expect(options.providerCalls.length).toBeLessThanOrEqual(attempts);
  // Every call the provider received has ended (answered, or dropped by the caller).
  expect(options.providerCalls.filter((c) => c.durationMs === null)).toEqual([]);

  const description = await temporal.workflow.getHandle(taskId).describe();
  expect(description.status.name).toBe(state === 'SUCCESS' ? 'COMPLETED' : 'FAILED');
  expect(description.raw.pendingActivities ?? []).toHaveLength(0);
  expect(activityRuns(events).filter((r) => r.closedAs === undefined)).toEqual([]);
  return events;
}

/** The closing note's measurement: one line per fault, greppable in the test output. */
export function reportRecovery(fault: string, fromMs: number, toMs: number = Date.now(), verb = 'recovered'): void {
  process.stdout.write(`[fault] ${fault}: ${verb} in ${((toMs - fromMs) / 1000).toFixed(1)} s\n`);
}

/** Polls until `check` holds; fails naming `what` after `timeoutMs`. */
export async function waitUntil(what: string, check: () => boolean | Promise<boolean>, timeoutMs = 30_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting until ${what}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

/** The chat completions the provider received for prompts holding `marker` (a keyword unique to one test). */
export function chatCallsFor(provider: { requests(filter?: { path?: string }): RecordedRequest[] }, marker: string): RecordedRequest[] {
  return provider.requests({ path: '/v1/chat/completions' }).filter((r) => JSON.stringify(r.body).includes(marker));
}

/**
 * auto_cluster's rows exist once: as many clusters as the result says were created, every keyword
 * of the run mapped to exactly one of them, and each cluster's totals matching its keywords. A save
 * that ran its writes twice would report fewer clusters created than exist; one cut in half would
 * leave keywords unmapped or totals wrong.
 */
export async function expectOneSetOfClusters(prisma: PrismaClient, accountId: number, keywordIds: number[], result: TaskProgress['result']): Promise<number> {
  const clusters = await prisma.cluster.findMany({ where: { accountId }, include: { keywords: true } });
  expect(clusters.length).toBeGreaterThan(0);
  expect(result).toMatchObject({ count: clusters.length, clusters_created: clusters.length, keywords_updated: keywordIds.length });
  const linked = clusters.flatMap((c) => c.keywords.map((k) => k.id)).sort((a, b) => a - b);
  expect(linked).toEqual([...keywordIds].sort((a, b) => a - b));
  for (const cluster of clusters) {
    expect(cluster.keywordsCount).toBe(cluster.keywords.length);
    expect(Number(cluster.volume)).toBe(cluster.keywords.reduce((sum, k) => sum + k.volume, 0));
    for (const keyword of cluster.keywords) expect(keyword.status).toBe('mapped');
  }
  return clusters.length;
}

/** `promise`, or a failure naming `what` after `timeoutMs` (the timer never outlives the test). */
export async function within<T>(what: string, promise: Promise<T>, timeoutMs: number): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const late = new Promise<never>((_, reject) => (timer = setTimeout(() => reject(new Error(`timed out after ${timeoutMs} ms waiting until ${what}`)), timeoutMs)));
  try {
    return await Promise.race([promise, late]);
  } finally {
    clearTimeout(timer);
  }
}

/**
 * An auto_cluster run that met a fault and recovered: SUCCESS, its clusters saved once, settled once
 * (see expectSettledOnce) with the provider calls made for prompts holding `marker`.
 */
export async function expectClusteredOnce(
  stack: Pick<FaultStack, 'temporal' | 'prisma' | 'provider'>,
  run: { taskId: string; final: TaskProgress; accountId: number; keywordIds: number[]; marker: string },
): Promise<{ events: HistoryEvent[]; clusters: number }> {
  expect(run.final.state).toBe('SUCCESS');
  const clusters = await expectOneSetOfClusters(stack.prisma, run.accountId, run.keywordIds, run.final.result);
  const events = await expectSettledOnce(stack, { taskId: run.taskId, final: run.final, state: 'SUCCESS', providerCalls: chatCallsFor(stack.provider, run.marker) });
  return { events, clusters };
}
