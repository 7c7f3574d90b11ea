import { spread, ratioSpread, type Spread } from './stats';
import { totalCpu, type RoundConditions } from './cpu';

export interface Figure {
  name: string;
  unit: string;
  spread: Spread;
  goal?: { text: string; pass: boolean };
  /** Said beside the figure: e.g. that some of its rounds began on a busy machine. */
  note?: string;
}

/** Per-round figures of every scenario, as the scenarios return them. */
export interface Rounds {
  overhead: Array<Record<string, { p50: number; p99: number }>>;
  throughput: Array<Record<string, number>>;
  progress: Array<Record<string, { p50: number; p99: number; firstP99?: number; laterP99?: number; errors: number; requests: number }>>;
  start: Array<{ p50: number; p99: number }>;
  memory: Array<{ idleMb: number; busyMb: number; perTaskMb: number }>;
  batch?: Array<{ items: number; limit: number; callMs: number; wallS: number; goalS: number; sequentialS: number; calls: number; maxInFlight: number }>;
  fairness?: Array<{
    bIdle: { p50: number; p99: number };
    bLoaded: { p50: number; p99: number };
    bRoundsDuringBacklog: number;
    bRounds: number;
    aTasks: number;
    aLimit: number;
    aMaxInFlight: number;
    cap: number;
    allMaxInFlight: number;
    aUnfinished?: number;
  }>;
  scaleOut?: Array<{ tasks: number; apis: number; clients: number; tasksPerSecond: number; deliveryP50: number; deliveryP99: number; clientsWithoutDone: number; rowsMissed: number }>;
  /** Per scenario, per round. */
  conditions?: Record<string, RoundConditions[]>;
}

const atMost = (limit: number, text: string) => (value: number) => ({ text, pass: value <= limit });
const atLeast = (limit: number, text: string) => (value: number) => ({ text, pass: value >= limit });

/** Every figure with its goal, judged on the median round. */
export function figuresOf(r: Rounds): Figure[] {
  const figures: Figure[] = [];
  let note: string | undefined;
  const add = (name: string, unit: string, values: number[] | Spread, goal?: (median: number) => Figure['goal']) => {
    const s = Array.isArray(values) ? spread(values) : values;
    figures.push({ name, unit, spread: s, ...(goal ? { goal: goal(s.median) } : {}), ...(note ? { note } : {}) });
  };
  /** Notes the scenario's rounds that began on a busy machine; adds its CPU per task of each system named. */
  const scenario = (key: string, cpuOf: Array<[system: string, label: string]> = []) => {
    const conditions = r.conditions?.[key] ?? [];
    const flagged = conditions.filter((c) => c.load.flagged);
    note = flagged.length
      ? `${flagged.length} of ${conditions.length} round(s) began at load ${flagged.map((c) => c.load.loadAverage.toFixed(1)).join(', ')} > ${flagged[0].load.cores} cores`
      : undefined;
    return () => {
      for (const [system, label] of cpuOf) {
        const values = conditions.map((c) => c.cpu[system]).filter(Boolean).map(totalCpu);
        if (values.length) add(`CPU per task, ${label} (all processes)`, 'ms', values);
      }
    };
  };

  if (r.overhead.length) {
    const cpu = scenario('overhead', [['temporal', 'overhead, Temporal'], ['bullmq', 'overhead, BullMQ peer'], ['inProcess', 'overhead, in-process call']]);
    const of = (system: string, p: 'p50' | 'p99') => r.overhead.map((round) => round[system][p]);
    add('overhead p50, Temporal', 'ms', of('temporal', 'p50'), atMost(100, '≤ 100 ms'));
    add('overhead p99, Temporal', 'ms', of('temporal', 'p99'));
    add('overhead p50, BullMQ peer', 'ms', of('bullmq', 'p50'));
    add('overhead p99, BullMQ peer', 'ms', of('bullmq', 'p99'));
    add('overhead p50, in-process call', 'ms', of('inProcess', 'p50'));
    add('overhead p99, in-process call', 'ms', of('inProcess', 'p99'));
    add('overhead p50 ratio Temporal / BullMQ', '×', ratioSpread(of('temporal', 'p50'), of('bullmq', 'p50')), atMost(1.5, '≤ 1.5×'));
    add('overhead p50 ratio Temporal / in-process', '×', ratioSpread(of('temporal', 'p50'), of('inProcess', 'p50')));
    cpu();
  }
  if (r.throughput.length) {
    const cpu = scenario('throughput', [['temporal', 'throughput, Temporal'], ['bullmq', 'throughput, BullMQ peer']]);
    const of = (system: string) => r.throughput.map((round) => round[system]);
    add('throughput, Temporal', 'tasks/s', of('temporal'), atLeast(20, '≥ 20 tasks/s'));
    add('throughput, BullMQ peer', 'tasks/s', of('bullmq'));
    add('throughput ratio Temporal / BullMQ', '×', ratioSpread(of('temporal'), of('bullmq')), atLeast(0.75, '≥ 0.75×'));
    cpu();
  }
  if (r.progress.length) {
    scenario('progress');
    const of = (target: string, p: 'p50' | 'p99') => r.progress.map((round) => round[target][p]);
    for (const [target, label] of [['running', '(a) running tasks'], ['finished', '(b) finished tasks'], ['hello', '(c) hello-world']] as const) {
      add(`progress p50, ${label}`, 'ms', of(target, 'p50'));
      add(`progress p99, ${label}`, 'ms', of(target, 'p99'));
      // What makes up the tail: each poller's first poll (nothing kept of that task yet) and the rest.
      const first = r.progress.map((round) => round[target].firstP99).filter((v): v is number => v !== undefined);
      const later = r.progress.map((round) => round[target].laterP99).filter((v): v is number => v !== undefined);
      if (first.length) add(`progress p99 of each poller's first poll, ${label}`, 'ms', first);
      if (later.length) add(`progress p99 of the later polls, ${label}`, 'ms', later);
    }
    add('progress p99 ratio b/c (finished / hello)', '×', ratioSpread(of('finished', 'p99'), of('hello', 'p99')), atMost(2, '≤ 2×'));
    add('progress p99 ratio a/c (running / hello)', '×', ratioSpread(of('running', 'p99'), of('hello', 'p99')), atMost(5, '≤ 5×'));
    const errors = r.progress.map((round) => Object.values(round).reduce((sum, t) => sum + t.errors, 0));
    add('progress errors (all targets, per round)', 'count', errors, (median) => ({ text: '0 in every round', pass: median === 0 && Math.max(...errors) === 0 }));
    const rpcs = (r.conditions?.progress ?? []).map((c) => c.temporalRpcsPerRunningPoll).filter((v): v is number => v !== undefined);
    if (rpcs.length) add('Temporal reads per running-task poll (query, describe, history)', 'count', rpcs, atMost(0.05, '≤ 0.05'));
  }
  if (r.start.length) {
    scenario('start');
    add('start latency p50 (POST → task_id)', 'ms', r.start.map((s) => s.p50));
    add('start latency p99 (POST → task_id)', 'ms', r.start.map((s) => s.p99));
  }
  if (r.memory.length) {
    scenario('memory');
    add('worker RSS idle (production build)', 'MB', r.memory.map((m) => m.idleMb), atMost(200, '≤ 200 MB'));
    add('worker RSS with the tasks in flight', 'MB', r.memory.map((m) => m.busyMb));
    add('worker memory per in-flight task', 'MB', r.memory.map((m) => m.perTaskMb), atMost(1.5, '≤ 1.5 MB'));
  }
  if (r.batch?.length) {
    const cpu = scenario('batch', [['temporal', 'batch (one task)']]);
    const [first] = r.batch;
    const calls = `${first.items} items, limit ${first.limit}, ${first.callMs / 1000} s calls`;
    add(`batch wall time (${calls})`, 's', r.batch.map((b) => b.wallS), atMost(first.goalS, `≤ ${first.goalS.toFixed(1)} s (1.2 × ceil(${first.items}/${first.limit}) × ${first.callMs / 1000} s)`));
    add(`batch one call at a time (${first.items} × ${first.callMs / 1000} s)`, 's', r.batch.map((b) => b.sequentialS));
    add('batch calls in flight at most', 'count', r.batch.map((b) => b.maxInFlight), atMost(first.limit, `≤ ${first.limit} (the account's limit)`));
    cpu();
  }
  if (r.fairness?.length) {
    const cpu = scenario('fairness', [['temporal', `fairness (A's and B's tasks)`]]);
    const [first] = r.fairness;
    const of = (phase: 'bIdle' | 'bLoaded', p: 'p50' | 'p99') => r.fairness!.map((f) => f[phase][p]);
    add('fairness B POST → AI call p50, idle system', 'ms', of('bIdle', 'p50'));
    add('fairness B POST → AI call p99, idle system', 'ms', of('bIdle', 'p99'));
    add(`fairness B POST → AI call p50, behind A's ${first.aTasks} tasks`, 'ms', of('bLoaded', 'p50'));
    add(`fairness B POST → AI call p99, behind A's ${first.aTasks} tasks`, 'ms', of('bLoaded', 'p99'));
    add('fairness B p50 ratio behind A / idle', '×', ratioSpread(of('bLoaded', 'p50'), of('bIdle', 'p50')), atMost(2, '≤ 2×'));
    add('fairness B p99 ratio behind A / idle', '×', ratioSpread(of('bLoaded', 'p99'), of('bIdle', 'p99')), atMost(2, '≤ 2×'));
    add(`fairness A's calls in flight at most`, 'count', r.fairness.map((f) => f.aMaxInFlight), atMost(first.aLimit, `≤ ${first.aLimit} (A's limit)`));
    add('fairness all calls in flight at most', 'count', r.fairness.map((f) => f.allMaxInFlight), atMost(first.cap, `≤ ${first.cap} (AI_CALLS_MAX_IN_FLIGHT)`));
    const rounds = r.fairness.map((f) => f.bRoundsDuringBacklog);
    add(`fairness A's tasks left unfinished (stuck, then terminated)`, 'count', r.fairness.map((f) => f.aUnfinished ?? 0), (median) => ({ text: '0', pass: median === 0 }));
    add(`fairness B tasks started while A's backlog lasted`, 'count', rounds, (median) => ({ text: `all ${first.bRounds}`, pass: median >= first.bRounds }));
    cpu();
  }
  if (r.scaleOut?.length) {
    const cpu = scenario('scale-out', [['temporal', 'scale-out']]);
    const [first] = r.scaleOut;
    const label = `${first.apis} APIs + 2 workers, ${first.tasks} tasks, ${first.clients} SSE clients`;
    add(`scale-out throughput (${label})`, 'tasks/s', r.scaleOut.map((s) => s.tasksPerSecond));
    add('scale-out progress row → SSE client p50', 'ms', r.scaleOut.map((s) => s.deliveryP50));
    add('scale-out progress row → SSE client p99', 'ms', r.scaleOut.map((s) => s.deliveryP99));
    const zero = (values: number[]) => (median: number) => ({ text: '0 in every round', pass: median === 0 && Math.max(...values) === 0 });
    const withoutDone = r.scaleOut.map((s) => s.clientsWithoutDone);
    add('scale-out SSE clients without their done event', 'count', withoutDone, zero(withoutDone));
    const missed = r.scaleOut.map((s) => s.rowsMissed);
    add('scale-out progress rows a client missed', 'count', missed, zero(missed));
    cpu();
  }
  return figures;
}

export function formatTable(figures: Figure[]): string {
  const rows = [['figure', 'median', 'min', 'max', 'unit', 'goal', '', 'note'] as string[]];
  for (const f of figures) {
    rows.push([
      f.name,
      format(f.spread.median),
      format(f.spread.min),
      format(f.spread.max),
      f.unit,
      f.goal?.text ?? '',
      f.goal ? (f.goal.pass ? 'PASS' : 'SHORT') : '',
      f.note ?? '',
    ]);
  }
  const widths = rows[0].map((_, c) => Math.max(...rows.map((row) => row[c].length)));
  const line = (row: string[]) => row.map((cell, c) => (c >= 1 && c <= 3 ? cell.padStart(widths[c]) : cell.padEnd(widths[c]))).join('  ').trimEnd();
  return [line(rows[0]), widths.map((w) => '-'.repeat(w)).join('  '), ...rows.slice(1).map(line)].join('\n');
}

function format(value: number): string {
  if (!Number.isFinite(value)) return String(value);
  if (Math.abs(value) >= 100) return value.toFixed(0);
  if (Math.abs(value) >= 10) return value.toFixed(1);
  return value.toFixed(2);
}
