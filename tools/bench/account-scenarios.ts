import { CHAT_COMPLETIONS_PATH } from '../demo-provider/behaviours';
import type { RecordedRequest } from '../demo-provider/request-record';
import { demoApi } from '../launcher/demo';
import { describeCpu, type RoundConditions } from './cpu';
import type { BenchEnvironment } from './environment';
import { until } from './scenarios';
import { watchTask, type TaskWatch } from './sse';
import { elapsedMs, maxInFlight, percentile } from './stats';
import { createBenchAccount, createKeywordSets, startThroughApi, waitForRecords, type BenchAccount } from './workload';

type Say = (line: string) => void;

const AUTO_CLUSTER_PATH = '/api/v1/planner/keywords/auto_cluster/';
const GENERATE_CONTENT_PATH = '/api/v1/writer/tasks/auto_generate_content/';
/** Streams one account may have open on one API process. */
const STREAMS_PER_ACCOUNT = 20;

export interface AccountScenarioSettings {
  batchItems: number;
  batchLimit: number;
  /** How long the provider takes per call in the batch and fairness scenarios. */
  callMs: number;
  fairnessATasks: number;
  fairnessALimit: number;
  fairnessBLimit: number;
  fairnessBRounds: number;
  /** AI_CALLS_MAX_IN_FLIGHT of the fairness scenario's worker. */
  fairnessCap: number;
  scaleOutTasks: number;
}

/** The provider's chat calls made with one account's key, oldest first. */
function callsOf(env: BenchEnvironment, account: BenchAccount): RecordedRequest[] {
  return env.provider.requests({ path: CHAT_COMPLETIONS_PATH }).filter((r) => r.apiKey.fingerprint === account.providerKeyFingerprint);
}

/** Calls as intervals: a call still unanswered is open until now. */
function intervals(calls: RecordedRequest[]) {
  return calls.map((c) => ({ start: c.at, end: c.durationMs === null ? Date.now() : c.at + c.durationMs }));
}

/**
 * batch: one generate_content task of `batchItems` writer tasks (created through the API) for an
 * account whose own `max_concurrent_ai_calls` is `batchLimit`, every call taking `callMs`: its wall
 * time from the POST to the finished run record, beside ceil(items / limit) calls' time (the goal's
 * base) and items × the call (one call at a time).
 */
export async function batchRound(env: BenchEnvironment, settings: AccountScenarioSettings, round: number, conditions: RoundConditions, say: Say) {
  const n = settings.batchItems;
  const account = await createBenchAccount(env, `batch-${round + 1}`, { maxConcurrentAiCalls: settings.batchLimit });
  const created = await demoApi(env.apiUrl, account.apiKey)<{ ids: number[] }>('POST', '/api/v1/writer/tasks/', {
    tasks: Array.from({ length: n }, (_, i) => ({ title: `Benchmark article ${round + 1}.${i + 1}`, description: `A short article to time the batch (${i + 1} of ${n}).` })),
  });
  if (created.status !== 200) throw new Error(`Creating the batch's writer tasks failed (${created.status})`);
  env.provider.settings({ defaultDelayMs: settings.callMs });
  const cpu = env.cpu.snapshot();
  const started = process.hrtime.bigint();
  const taskId = await startThroughApi(env.apiUrl, account.apiKey, GENERATE_CONTENT_PATH, { ids: created.body.ids });
  await waitForRecords(env.prisma, [taskId], 120_000);
  const wallS = elapsedMs(started) / 1000;
  conditions.cpu.temporal = env.cpu.perTask(cpu, 1);
  const calls = callsOf(env, account);
  const figures = {
    items: n,
    limit: settings.batchLimit,
    callMs: settings.callMs,
    wallS,
    goalS: 1.2 * Math.ceil(n / settings.batchLimit) * (settings.callMs / 1000),
    sequentialS: (n * settings.callMs) / 1000,
    calls: calls.length,
    maxInFlight: maxInFlight(intervals(calls)),
  };
  say(
    `  batch round ${round + 1}: ${n} items at ${settings.batchLimit} at a time took ${wallS.toFixed(2)} s (goal ≤ ${figures.goalS.toFixed(1)} s; one at a time ${figures.sequentialS.toFixed(0)} s); ` +
      `${calls.length} calls, at most ${figures.maxInFlight} in flight; ${describeCpu(conditions.cpu.temporal).replace('ms/task', 'ms for the task')}`,
  );
  return figures;
}

/**
 * fairness: account A submits `fairnessATasks` auto_cluster tasks at once (one `callMs` call each,
 * `fairnessALimit` at a time), then account B starts its tasks one after another while A's backlog
 * lasts; each B figure is the time from B's POST to its call reaching the provider. The same for B
 * on an idle system first. A's and all calls' most in flight are read from the provider's record.
 * The worker runs with AI_CALLS_MAX_IN_FLIGHT = `fairnessCap` (main restarts it so).
 */
export async function fairnessRun(env: BenchEnvironment, settings: AccountScenarioSettings, conditions: RoundConditions, say: Say) {
  const a = await createBenchAccount(env, 'fairness-a', { maxConcurrentAiCalls: settings.fairnessALimit });
  const b = await createBenchAccount(env, 'fairness-b', { maxConcurrentAiCalls: settings.fairnessBLimit });
  const aSets = await createKeywordSets(env.prisma, a, settings.fairnessATasks);
  const bSets = await createKeywordSets(env.prisma, b, 2 * settings.fairnessBRounds);
  const bTasks: string[] = [];

  /** B's tasks one after another: each waits for the one before to finish, so B never waits on its own limit. */
  const timeB = async (sets: typeof bSets, phase: string, aBacklog?: () => number) => {
    const times: number[] = [];
    let duringBacklog = 0;
    for (const set of sets) {
      const seen = callsOf(env, b).length;
      const posted = Date.now();
      const taskId = await startThroughApi(env.apiUrl, b.apiKey, AUTO_CLUSTER_PATH, { ids: set.ids, sector_id: set.sectorId });
      bTasks.push(taskId);
      await until(() => callsOf(env, b).length > seen, 120_000, `B's call (${phase})`);
      times.push(callsOf(env, b)[seen].at - posted);
      if (aBacklog && aBacklog() > 0) duringBacklog++;
      await waitForRecords(env.prisma, [taskId], 120_000);
    }
    say(`  fairness: B ${phase}: POST → its AI call p50 ${percentile(times, 50).toFixed(0)} ms, p99 ${percentile(times, 99).toFixed(0)} ms over ${times.length} tasks`);
    return { times, duringBacklog };
  };

  // The worker was just restarted: a few tasks first, so the idle figure is not its first runs'.
  for (const set of await createKeywordSets(env.prisma, b, 3)) {
    await waitForRecords(env.prisma, [await startThroughApi(env.apiUrl, b.apiKey, AUTO_CLUSTER_PATH, { ids: set.ids, sector_id: set.sectorId })], 120_000);
  }
  // Idle: calls answered at once (a call's length does not change when it starts).
  const idle = await timeB(bSets.slice(0, settings.fairnessBRounds), 'on an idle system');

  env.provider.settings({ defaultDelayMs: settings.callMs });
  const cpu = env.cpu.snapshot();
  const flooded = Date.now();
  const aTasks = await Promise.all(aSets.map((set) => startThroughApi(env.apiUrl, a.apiKey, AUTO_CLUSTER_PATH, { ids: set.ids, sector_id: set.sectorId })));
  say(`  fairness: A submitted ${aTasks.length} tasks in ${((Date.now() - flooded) / 1000).toFixed(1)} s`);
  const aCallsLeft = () => aTasks.length - callsOf(env, a).length;
  const loaded = await timeB(bSets.slice(settings.fairnessBRounds), `behind A's ${aTasks.length} tasks`, aCallsLeft);
  // Twice what A's calls take one limit's worth at a time, and a margin: beyond it, A's tasks are reported stuck.
  const aDeadline = flooded + 2 * Math.ceil(aTasks.length / settings.fairnessALimit) * settings.callMs + 30_000;
  const stall = await waitWhileMoving(env, aTasks, () => callsOf(env, a).length, aDeadline, say);
  const allTasks = aTasks.length + 2 * settings.fairnessBRounds;
  conditions.cpu.temporal = env.cpu.perTask(cpu, aTasks.length + settings.fairnessBRounds);

  const aCalls = callsOf(env, a);
  const figures = {
    bIdle: { p50: percentile(idle.times, 50), p99: percentile(idle.times, 99), times: idle.times },
    bLoaded: { p50: percentile(loaded.times, 50), p99: percentile(loaded.times, 99), times: loaded.times },
    bRoundsDuringBacklog: loaded.duringBacklog,
    bRounds: loaded.times.length,
    aTasks: aTasks.length,
    aLimit: settings.fairnessALimit,
    aMaxInFlight: maxInFlight(intervals(aCalls)),
    cap: settings.fairnessCap,
    allMaxInFlight: maxInFlight(intervals(env.provider.requests({ path: CHAT_COMPLETIONS_PATH }))),
    aSeconds: (Date.now() - flooded) / 1000,
    aUnfinished: stall?.unfinished ?? 0,
    ...(stall ? { stall } : {}),
    tasks: allTasks,
  };
  say(
    `  fairness: A's calls at most ${figures.aMaxInFlight} in flight (limit ${figures.aLimit}), all calls ${figures.allMaxInFlight} (cap ${figures.cap}); ` +
      `${loaded.duringBacklog} of ${loaded.times.length} B tasks started while A still had calls waiting; A's backlog took ${figures.aSeconds.toFixed(0)} s; ${describeCpu(conditions.cpu.temporal)}`,
  );
  return figures;
}

/**
 * scale-out: `scaleOutTasks` auto_cluster tasks submitted at once, alternately through each of the
 * API processes, run by the worker processes; each task watched by one live-progress client on
 * every API process (so a client sees rows a worker published through another process's LISTEN).
 * Throughput from the first POST to the last finished record; delivery from a row's insert to each
 * client that was connected by then; every client must see every row of its task and its `done`.
 */
export async function scaleOutRound(env: BenchEnvironment, apiUrls: string[], settings: AccountScenarioSettings, round: number, conditions: RoundConditions, say: Say) {
  const n = settings.scaleOutTasks;
  const accountCount = Math.ceil(n / STREAMS_PER_ACCOUNT);
  const accounts = await Promise.all(Array.from({ length: accountCount }, (_, i) => createBenchAccount(env, `scale-${round + 1}-${i + 1}`)));
  const plan = await Promise.all(
    accounts.map(async (account, i) => {
      const count = Math.min(STREAMS_PER_ACCOUNT, n - i * STREAMS_PER_ACCOUNT);
      return (await createKeywordSets(env.prisma, account, count)).map((set) => ({ account, set }));
    }),
  );
  const tasks = plan.flat();
  const watches: Array<{ taskId: string; api: number; watch: TaskWatch }> = [];
  const cpu = env.cpu.snapshot();
  const started = process.hrtime.bigint();
  const taskIds = await Promise.all(
    tasks.map(async ({ account, set }, i) => {
      const taskId = await startThroughApi(apiUrls[i % apiUrls.length], account.apiKey, AUTO_CLUSTER_PATH, { ids: set.ids, sector_id: set.sectorId });
      apiUrls.forEach((url, api) => watches.push({ taskId, api, watch: watchTask(url, account.apiKey, taskId, 120_000) }));
      return taskId;
    }),
  );
  await waitForRecords(env.prisma, taskIds, 300_000);
  const seconds = elapsedMs(started) / 1000;
  const outcomes = await Promise.all(watches.map((w) => w.watch.finished));
  conditions.cpu.temporal = env.cpu.perTask(cpu, n);

  const rows = await env.prisma.taskEvent.findMany({ where: { taskId: { in: taskIds } }, select: { id: true, taskId: true, createdAt: true } });
  const rowsOf = new Map<string, Array<{ id: number; createdAt: Date }>>();
  for (const row of rows) rowsOf.set(row.taskId, [...(rowsOf.get(row.taskId) ?? []), row]);
  const delivery: number[] = [];
  let withoutDone = 0;
  let missingRows = 0;
  const problems: string[] = [];
  watches.forEach(({ taskId, api, watch }, i) => {
    const outcome = outcomes[i];
    if (!outcome.sawDone) {
      withoutDone++;
      if (problems.length < 3) problems.push(`${taskId} on API ${api + 1}: ${outcome.error}`);
    }
    const seen = new Map(watch.events.filter((e) => e.id !== undefined).map((e) => [e.id!, e.receivedAt]));
    const opened = watch.openedAt() ?? Infinity;
    for (const row of rowsOf.get(taskId) ?? []) {
      const receivedAt = seen.get(row.id);
      if (receivedAt === undefined) missingRows++;
      else if (row.createdAt.getTime() >= opened) delivery.push(receivedAt - row.createdAt.getTime());
    }
  });
  const figures = {
    tasks: n,
    apis: apiUrls.length,
    clients: watches.length,
    tasksPerSecond: n / seconds,
    deliveryP50: percentile(delivery, 50),
    deliveryP99: percentile(delivery, 99),
    deliveries: delivery.length,
    clientsWithoutDone: withoutDone,
    rowsMissed: missingRows,
    problems,
  };
  say(
    `  scale-out round ${round + 1}: ${n} tasks over ${apiUrls.length} APIs in ${seconds.toFixed(1)} s (${figures.tasksPerSecond.toFixed(1)} tasks/s); ` +
      `${watches.length} clients, row → client p50 ${figures.deliveryP50.toFixed(0)} ms, p99 ${figures.deliveryP99.toFixed(0)} ms; ` +
      `${withoutDone} without done, ${missingRows} rows missed${problems.length ? ` (${problems[0]})` : ''}; ${describeCpu(conditions.cpu.temporal)}`,
  );
  return figures;
}

/** How long the flood may go without a call starting or a task finishing before it counts as stuck. */
const STALL_MS = 60_000;

/**
 * Waits for the tasks to finish while they make progress (calls start, records finish) and the
 * deadline is ahead. When nothing moves for STALL_MS or the deadline passes, says what the slots look like, terminates what is left (so the bench
 * goes on and reports it) and answers what was stuck.
 */
async function waitWhileMoving(env: BenchEnvironment, taskIds: string[], calls: () => number, deadline: number, say: Say) {
  let last = { finished: -1, calls: -1, at: Date.now() };
  for (;;) {
    const finished = await env.prisma.aITaskLog.count({ where: { taskId: { in: taskIds }, status: { not: 'pending' } } });
    if (finished === taskIds.length) return undefined;
    const now = { finished, calls: calls(), at: Date.now() };
    if (now.finished !== last.finished || now.calls !== last.calls) last = now;
    else if (Date.now() - last.at > STALL_MS) break;
    if (Date.now() > deadline) break;
    await new Promise((r) => setTimeout(r, 1000));
  }
  const open = await env.prisma.aITaskLog.findMany({ where: { taskId: { in: taskIds }, status: 'pending' }, select: { taskId: true, accountId: true } });
  const slots = await env.prisma.aiCallSlot.findMany({ select: { accountId: true, taskId: true, state: true, leaseUntil: true, grantedAt: true } });
  const summary = {
    unfinished: open.length,
    slots: Object.entries(
      slots.reduce<Record<string, number>>((by, slot) => ({ ...by, [`account ${slot.accountId} ${slot.state}`]: (by[`account ${slot.accountId} ${slot.state}`] ?? 0) + 1 }), {}),
    ).map(([what, count]) => `${what}: ${count}`),
    granted: slots
      .filter((slot) => slot.state === 'granted')
      .map((slot) => ({ taskId: slot.taskId, pending: open.some((o) => o.taskId === slot.taskId), grantedAt: slot.grantedAt, leaseUntil: slot.leaseUntil })),
  };
  say(
    `  STUCK: ${open.length} of ${taskIds.length} tasks unfinished (no progress for ${STALL_MS / 1000} s, or past twice their expected time); ` +
      `slots: ${summary.slots.join(', ') || 'none'}; terminating them`,
  );
  for (const { taskId } of open) {
    await env.temporal.workflow.getHandle(taskId).terminate('benchmark: no progress').catch(() => undefined);
  }
  return summary;
}
