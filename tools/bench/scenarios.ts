import { execFileSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import type { BenchEnvironment } from './environment';
import { runPollers } from './pollers';
import { elapsedMs, percentile, temporalReads } from './stats';
import type { Workload } from './workload';
import { describeCpu, type RoundConditions } from './cpu';

export interface BenchSettings {
  rounds: number;
  overheadTasks: number;
  throughputTasks: number;
  pollers: number;
  pollIntervalMs: number;
  pollSeconds: number;
  runningTasks: number;
  startTasks: number;
  memoryTasks: number;
}

type Say = (line: string) => void;

const PROGRESS_PATH = (taskId: string) => `/api/v1/system/settings/task_progress/${taskId}/`;
const HELLO_PATH = '/api/v1/health/live/';

async function timed(run: () => Promise<unknown>): Promise<number> {
  const started = process.hrtime.bigint();
  await run();
  return elapsedMs(started);
}

/** 1. End-to-end time of one auto_cluster task of 20 keywords, tasks one after another. */
export async function overheadRound(env: BenchEnvironment, work: Workload, settings: BenchSettings, round: number, conditions: RoundConditions, say: Say) {
  const n = settings.overheadTasks;
  const sets = await work.keywordSets(3 * n);
  const systems = [
    { name: 'temporal', run: work.runTemporal },
    { name: 'bullmq', run: work.runPeer },
    { name: 'inProcess', run: work.runInProcess },
  ];
  // Each round starts with another system, so none always runs on the warmest caches.
  const order = systems.map((_, i) => systems[(i + round) % systems.length]);
  const figures: Record<string, { p50: number; p99: number }> = {};
  for (const [s, system] of order.entries()) {
    const times: number[] = [];
    const cpu = env.cpu.snapshot();
    for (const set of sets.slice(s * n, (s + 1) * n)) times.push(await timed(() => system.run(set)));
    conditions.cpu[system.name] = env.cpu.perTask(cpu, n);
    figures[system.name] = { p50: percentile(times, 50), p99: percentile(times, 99) };
    say(
      `  overhead round ${round + 1}: ${system.name} p50 ${figures[system.name].p50.toFixed(1)} ms, p99 ${figures[system.name].p99.toFixed(1)} ms; ` +
        describeCpu(conditions.cpu[system.name]),
    );
  }
  return figures;
}

/** 2. `throughputTasks` tasks submitted at once; completed tasks per second, first submission to last record. */
export async function throughputRound(env: BenchEnvironment, work: Workload, settings: BenchSettings, round: number, conditions: RoundConditions, say: Say) {
  const n = settings.throughputTasks;
  const sets = await work.keywordSets(2 * n);
  const systems = [
    { name: 'temporal', submit: work.startTemporal, sets: sets.slice(0, n) },
    { name: 'bullmq', submit: work.enqueuePeer, sets: sets.slice(n) },
  ];
  const figures: Record<string, number> = {};
  for (const system of round % 2 ? [...systems].reverse() : systems) {
    const cpu = env.cpu.snapshot();
    const seconds =
      (await timed(async () => {
        const taskIds = await Promise.all(system.sets.map((set) => system.submit(set)));
        await work.waitForRecords(taskIds);
      })) / 1000;
    conditions.cpu[system.name] = env.cpu.perTask(cpu, n);
    figures[system.name] = n / seconds;
    say(`  throughput round ${round + 1}: ${system.name} ${figures[system.name].toFixed(1)} tasks/s (${seconds.toFixed(1)} s); ${describeCpu(conditions.cpu[system.name])}`);
  }
  return figures;
}

/**
 * 3. Pollers against running tasks, finished tasks and the liveness route of the same API. Running
 * tasks are held in their AI call by the provider for the whole load, and checked to still be
 * running when it ends.
 */
export async function progressRound(
  env: BenchEnvironment,
  work: Workload,
  settings: BenchSettings,
  finishedTaskIds: string[],
  round: number,
  conditions: RoundConditions,
  say: Say,
) {
  const load = (paths: string[]) =>
    runPollers({
      baseUrl: env.apiUrl,
      paths,
      headers: { authorization: `Bearer ${work.apiKey}` },
      pollers: settings.pollers,
      intervalMs: settings.pollIntervalMs,
      durationMs: settings.pollSeconds * 1000,
    });
  const figures: Record<string, { p50: number; p99: number; firstP50: number; firstP99: number; laterP99: number; errors: number; requests: number; errorSamples: string[] }> = {};
  const measured = async (name: string, paths: string[]) => {
    const cpu = env.cpu.snapshot();
    const result = await load(paths);
    // Per request here: what one poll costs each process.
    conditions.cpu[name] = env.cpu.perTask(cpu, result.requests);
    record(name, result);
    return result;
  };
  const record = (name: string, result: Awaited<ReturnType<typeof load>>) => {
    figures[name] = {
      p50: percentile(result.latenciesMs, 50),
      p99: percentile(result.latenciesMs, 99),
      firstP50: percentile(result.firstLatenciesMs, 50),
      firstP99: percentile(result.firstLatenciesMs, 99),
      laterP99: percentile(result.laterLatenciesMs, 99),
      errors: result.errors,
      requests: result.requests,
      errorSamples: result.errorSamples,
    };
    say(
      `  progress round ${round + 1}: ${name} p50 ${figures[name].p50.toFixed(2)} ms, p99 ${figures[name].p99.toFixed(2)} ms ` +
        `(each poller's first: p50 ${figures[name].firstP50.toFixed(2)}, p99 ${figures[name].firstP99.toFixed(2)} ms; the rest: p99 ${figures[name].laterP99.toFixed(2)} ms), ` +
        `${result.requests} requests, ${result.errors} errors${result.errors ? ` (${result.errorSamples[0]})` : ''}; ${describeCpu(conditions.cpu[name]).replace('ms/task', 'ms/request')}`,
    );
  };

  await measured('hello', [HELLO_PATH]);
  await measured('finished', finishedTaskIds.map(PROGRESS_PATH));

  const sets = await work.keywordSets(settings.runningTasks);
  env.provider.hold();
  let running: string[] = [];
  try {
    running = await Promise.all(sets.map((set) => work.startTemporal(set)));
    await until(() => env.provider.held() >= running.length, 60_000, `${running.length} tasks to reach their AI call`);
    const before = temporalReads(await env.temporalMetrics());
    const result = await measured('running', running.map(PROGRESS_PATH));
    const after = temporalReads(await env.temporalMetrics());
    if (before !== undefined && after !== undefined && result.requests > 0) {
      conditions.temporalRpcsPerRunningPoll = (after - before) / result.requests;
      say(`  progress round ${round + 1}: ${conditions.temporalRpcsPerRunningPoll.toFixed(3)} Temporal reads (query, describe, history) per running-task poll`);
    }
    const stillRunning = await env.prisma.aITaskLog.count({ where: { taskId: { in: running }, status: 'pending' } });
    if (stillRunning !== running.length) throw new Error(`only ${stillRunning} of ${running.length} tasks were still running when the load ended`);
  } finally {
    env.provider.release();
  }
  await work.waitForRecords(running);
  return figures;
}

/** 4. POST of the start endpoint until its task_id answer, one after another. */
export async function startRound(env: BenchEnvironment, work: Workload, settings: BenchSettings, round: number, conditions: RoundConditions, say: Say) {
  const sets = await work.keywordSets(settings.startTasks);
  const times: number[] = [];
  const taskIds: string[] = [];
  const cpu = env.cpu.snapshot();
  for (const { ids, sectorId } of sets) {
    let taskId = '';
    times.push(
      await timed(async () => {
        const response = await fetch(`${env.apiUrl}/api/v1/planner/keywords/auto_cluster/`, {
          method: 'POST',
          headers: { authorization: `Bearer ${work.apiKey}`, 'content-type': 'application/json' },
          body: JSON.stringify({ ids, sector_id: sectorId }),
        });
        const body = (await response.json()) as { task_id?: string; error?: string };
        if (response.status !== 200 || !body.task_id) throw new Error(`the start endpoint answered ${response.status}: ${body.error}`);
        taskId = body.task_id;
      }),
    );
    taskIds.push(taskId);
  }
  await work.waitForRecords(taskIds);
  conditions.cpu.temporal = env.cpu.perTask(cpu, taskIds.length);
  const figures = { p50: percentile(times, 50), p99: percentile(times, 99) };
  say(`  start round ${round + 1}: p50 ${figures.p50.toFixed(1)} ms, p99 ${figures.p99.toFixed(1)} ms; ${describeCpu(conditions.cpu.temporal)}`);
  return figures;
}

/** 5. (worker RSS with `memoryTasks` runs held in their AI call − idle RSS) / `memoryTasks`. */
export async function memoryRound(env: BenchEnvironment, work: Workload, settings: BenchSettings, round: number, conditions: RoundConditions, say: Say) {
  const n = settings.memoryTasks;
  // A fresh worker each round, warmed by a few runs: the garbage a process has collected so far
  // would otherwise move its idle figure by more than the tasks weigh.
  await env.restartWorker();
  for (const set of await work.keywordSets(5)) await work.runTemporal(set);
  const sets = await work.keywordSets(n);
  const cpu = env.cpu.snapshot();
  const pid = env.worker().child.pid!;
  const idleMb = await sampleRssMb(pid);
  env.provider.hold();
  let taskIds: string[] = [];
  let busyMb = 0;
  try {
    taskIds = await Promise.all(sets.map((set) => work.startTemporal(set)));
    await until(() => env.provider.held() >= n, 120_000, `${n} tasks to reach their AI call`);
    busyMb = await sampleRssMb(pid);
  } finally {
    env.provider.release();
  }
  await work.waitForRecords(taskIds);
  conditions.cpu.temporal = env.cpu.perTask(cpu, n);
  const perTaskMb = (busyMb - idleMb) / n;
  say(`  memory round ${round + 1}: idle ${idleMb.toFixed(1)} MB, ${n} in flight ${busyMb.toFixed(1)} MB → ${perTaskMb.toFixed(3)} MB per task`);
  return { idleMb, busyMb, perTaskMb };
}

/** The median of five readings of a process's resident set, 200 ms apart. */
async function sampleRssMb(pid: number): Promise<number> {
  const readings: number[] = [];
  for (let i = 0; i < 5; i++) {
    const proc = `/proc/${pid}/status`;
    const kb = existsSync(proc)
      ? Number(/VmRSS:\s+(\d+)\s+kB/.exec(readFileSync(proc, 'utf8'))?.[1])
      : Number(execFileSync('ps', ['-o', 'rss=', '-p', String(pid)], { encoding: 'utf8' }).trim());
    if (!Number.isFinite(kb)) throw new Error(`no VmRSS for process ${pid}`);
    readings.push(kb / 1024);
    await new Promise((r) => setTimeout(r, 200));
  }
  return percentile(readings, 50);
}

export async function until(check: () => boolean | Promise<boolean>, timeoutMs: number, what: string): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs / 1000} s waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}
