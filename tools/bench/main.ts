import { mkdirSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { z } from 'zod';
import { benchDir, startBenchEnvironment, type BenchEnvironment } from './environment';
import { figuresOf, formatTable, type Rounds } from './report';
import { memoryRound, overheadRound, progressRound, startRound, throughputRound, type BenchSettings } from './scenarios';
import { batchRound, fairnessRun, scaleOutRound, type AccountScenarioSettings } from './account-scenarios';
import { describeLoad, loadAtStart, type RoundConditions } from './cpu';
import { createWorkload, type Workload } from './workload';

// In the order they run: scale-out adds processes and stops them again; fairness restarts the worker with an overall cap, so it comes last.
const SCENARIOS = ['memory', 'overhead', 'start', 'throughput', 'progress', 'batch', 'scale-out', 'fairness'] as const;
type Scenario = (typeof SCENARIOS)[number];

const settingsSchema = z.object({
  BENCH_ROUNDS: z.coerce.number().int().min(1).default(2),
  // One round of 1,000 tasks takes the service over two minutes on 2 cores: one by default.
  BENCH_THROUGHPUT_ROUNDS: z.coerce.number().int().min(1).default(1),
  BENCH_OVERHEAD_TASKS: z.coerce.number().int().min(1).default(150),
  BENCH_THROUGHPUT_TASKS: z.coerce.number().int().min(1).default(1000),
  BENCH_POLLERS: z.coerce.number().int().min(1).default(500),
  BENCH_POLL_INTERVAL_MS: z.coerce.number().int().min(1).default(1500),
  BENCH_POLL_SECONDS: z.coerce.number().min(1).default(20),
  BENCH_RUNNING_TASKS: z.coerce.number().int().min(1).default(50),
  BENCH_START_TASKS: z.coerce.number().int().min(1).default(100),
  BENCH_MEMORY_TASKS: z.coerce.number().int().min(1).default(200),
  BENCH_CALL_MS: z.coerce.number().int().min(0).default(1000),
  BENCH_BATCH_ITEMS: z.coerce.number().int().min(1).max(50).default(20),
  BENCH_BATCH_LIMIT: z.coerce.number().int().min(1).default(4),
  BENCH_FAIRNESS_A_TASKS: z.coerce.number().int().min(1).default(200),
  BENCH_FAIRNESS_A_LIMIT: z.coerce.number().int().min(1).default(4),
  BENCH_FAIRNESS_B_ROUNDS: z.coerce.number().int().min(1).default(20),
  BENCH_FAIRNESS_CAP: z.coerce.number().int().min(1).default(8),
  BENCH_SCALE_OUT_TASKS: z.coerce.number().int().min(1).default(200),
  BENCH_SCENARIOS: z
    .string()
    .default(SCENARIOS.join(','))
    .transform((list) => list.split(',').map((s) => s.trim()).filter(Boolean))
    .pipe(z.array(z.enum(SCENARIOS)).min(1)),
});

/**
 * `npm run bench`: what durable execution costs, measured beside a BullMQ peer running the same
 * activities and beside a plain in-process call, on this machine, in one run. Prints every figure
 * with its goal and writes them to .data/bench/.
 */
async function main(): Promise<void> {
  const parsed = settingsSchema.safeParse(process.env);
  if (!parsed.success) {
    throw new Error(`Invalid benchmark setting: ${parsed.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; ')}`);
  }
  const e = parsed.data;
  const settings: BenchSettings = {
    rounds: e.BENCH_ROUNDS,
    overheadTasks: e.BENCH_OVERHEAD_TASKS,
    throughputTasks: e.BENCH_THROUGHPUT_TASKS,
    pollers: e.BENCH_POLLERS,
    pollIntervalMs: e.BENCH_POLL_INTERVAL_MS,
    pollSeconds: e.BENCH_POLL_SECONDS,
    runningTasks: e.BENCH_RUNNING_TASKS,
    startTasks: e.BENCH_START_TASKS,
    memoryTasks: e.BENCH_MEMORY_TASKS,
  };
  const accountSettings: AccountScenarioSettings = {
    callMs: e.BENCH_CALL_MS,
    batchItems: e.BENCH_BATCH_ITEMS,
    batchLimit: e.BENCH_BATCH_LIMIT,
    fairnessATasks: e.BENCH_FAIRNESS_A_TASKS,
    fairnessALimit: e.BENCH_FAIRNESS_A_LIMIT,
    fairnessBLimit: 4,
    fairnessBRounds: e.BENCH_FAIRNESS_B_ROUNDS,
    fairnessCap: e.BENCH_FAIRNESS_CAP,
    scaleOutTasks: e.BENCH_SCALE_OUT_TASKS,
  };
  const scenarios = new Set(e.BENCH_SCENARIOS);
  const began = Date.now();
  const say = (line: string) => console.log(`[bench ${((Date.now() - began) / 1000).toFixed(0).padStart(3)} s] ${line}`);

  say(`Starting PostgreSQL, Temporal, the worker, the API, the demo provider and the BullMQ peer…`);
  const env: BenchEnvironment = await startBenchEnvironment(say);
  let work: Workload | undefined;
  const stop = async () => {
    await work?.close().catch(() => undefined);
    await env.stop();
  };
  process.once('SIGINT', () => void stop().then(() => process.exit(130)));
  try {
    work = await createWorkload(env);
    say('Warming up (10 tasks on each path)…');
    for (const set of await work.keywordSets(10)) await work.runTemporal(set);
    for (const set of await work.keywordSets(10)) await work.runPeer(set);
    for (const set of await work.keywordSets(10)) await work.runInProcess(set);

    const conditions: Record<string, RoundConditions[]> = {};
    const rounds: Rounds = { overhead: [], throughput: [], progress: [], start: [], memory: [], batch: [], fairness: [], scaleOut: [], conditions };
    const each = async (name: Scenario, title: string, run: (round: number, conditions: RoundConditions) => Promise<void>, count = settings.rounds) => {
      if (!scenarios.has(name)) return;
      say(title);
      for (let round = 0; round < count; round++) {
        // The load average as the round begins: above the core count, the round ran on a machine busy with something else.
        const load = loadAtStart();
        const roundConditions: RoundConditions = { load, cpu: {} };
        (conditions[name] ??= []).push(roundConditions);
        say(`  ${name} round ${round + 1} of ${count} begins (${describeLoad(load)})`);
        await run(round, roundConditions);
        env.provider.reset();
      }
    };
    await each('memory', `Memory: ${settings.memoryTasks} tasks held in their AI call`, async (round, c) => {
      rounds.memory.push(await memoryRound(env, work!, settings, round, c, say));
    });
    await each('overhead', `Overhead: ${settings.overheadTasks} sequential auto_cluster tasks (20 keywords) per system`, async (round, c) => {
      rounds.overhead.push(await overheadRound(env, work!, settings, round, c, say));
    });
    await each('start', `Start latency: ${settings.startTasks} sequential POSTs`, async (round, c) => {
      rounds.start.push(await startRound(env, work!, settings, round, c, say));
    });
    await each('throughput', `Throughput: ${settings.throughputTasks} tasks submitted at once per system`, async (round, c) => {
      rounds.throughput.push(await throughputRound(env, work!, settings, round, c, say));
    }, e.BENCH_THROUGHPUT_ROUNDS);
    const finished = await env.prisma.aITaskLog.findMany({
      where: { accountId: work.accountId, status: 'success' },
      select: { taskId: true },
      orderBy: { id: 'desc' },
      take: settings.pollers,
    });
    await each(
      'progress',
      `Progress endpoint: ${settings.pollers} pollers, one request each per ${settings.pollIntervalMs} ms, ${settings.pollSeconds} s per target`,
      async (round, c) => {
        rounds.progress.push(await progressRound(env, work!, settings, finished.map((f) => f.taskId), round, c, say));
      },
    );
    const a = accountSettings;
    await each('batch', `Batch: one generate_content task of ${a.batchItems} items, ${a.batchLimit} calls at a time, ${a.callMs} ms per call`, async (round, c) => {
      rounds.batch!.push(await batchRound(env, a, round, c, say));
    });
    if (scenarios.has('scale-out')) {
      say('Scale-out: starting a second worker and a second API process…');
      const [worker2, api2] = await Promise.all([env.startExtra('worker'), env.startExtra('api')]);
      try {
        await each('scale-out', `Scale-out: ${a.scaleOutTasks} tasks at once over 2 APIs and 2 workers, each watched over SSE on both APIs`, async (round, c) => {
          rounds.scaleOut!.push(await scaleOutRound(env, [env.apiUrl, api2.url!], a, round, c, say));
        }, 1);
      } finally {
        await Promise.all([worker2.stop(), api2.stop()]);
      }
    }
    if (scenarios.has('fairness')) {
      say(`Fairness: restarting the worker with AI_CALLS_MAX_IN_FLIGHT=${a.fairnessCap}…`);
      await env.restartWorker({ AI_CALLS_MAX_IN_FLIGHT: String(a.fairnessCap) });
      await each('fairness', `Fairness: A (limit ${a.fairnessALimit}) submits ${a.fairnessATasks} tasks of one ${a.callMs} ms call, then B starts ${a.fairnessBRounds} tasks one after another`, async (_round, c) => {
        rounds.fairness!.push(await fairnessRun(env, a, c, say));
      }, 1);
    }

    const figures = figuresOf(rounds);
    const seconds = (Date.now() - began) / 1000;
    console.log(`\n${formatTable(figures)}\n`);
    const short = figures.filter((f) => f.goal && !f.goal.pass);
    const machine = { cpus: os.cpus().length, cpuModel: os.cpus()[0]?.model, memoryGb: Math.round(os.totalmem() / 2 ** 30), node: process.version, platform: `${os.platform()} ${os.release()}` };
    const flagged = Object.entries(conditions).flatMap(([name, list]) => list.filter((c) => c.load.flagged).map(() => name));
    if (flagged.length) say(`FLAGGED: ${flagged.length} round(s) began with the load average above ${machine.cpus} cores (${[...new Set(flagged)].join(', ')}); their figures carry a note.`);
    const report = {
      finishedAt: new Date().toISOString(),
      durationSeconds: seconds,
      machine,
      systems: env.systems,
      settings: { ...settings, ...accountSettings },
      scenarios: [...scenarios],
      flaggedRounds: flagged.length,
      figures,
      rounds,
    };
    mkdirSync(benchDir, { recursive: true });
    const file = path.join(benchDir, `bench-${report.finishedAt.replace(/[:.]/g, '-')}.json`);
    writeFileSync(file, `${JSON.stringify(report, null, 2)}\n`);
    writeFileSync(path.join(benchDir, 'latest.json'), `${JSON.stringify(report, null, 2)}\n`);
    say(`${figures.filter((f) => f.goal).length - short.length} goals PASS, ${short.length} SHORT; figures in ${path.relative(process.cwd(), file)}; ${seconds.toFixed(0)} s in all.`);
  } finally {
    await stop();
  }
}

main().then(
  // Client connections (Redis, gRPC) may keep the event loop alive once everything is stopped.
  () => process.exit(process.exitCode ?? 0),
  (err) => {
    console.error(`[bench] ${err instanceof Error ? err.message : err}`);
    process.exit(1);
  },
);
