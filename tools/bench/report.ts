import { spread, ratioSpread, type Spread } from './stats';

export interface Figure {
  name: string;
  unit: string;
  spread: Spread;
  goal?: { text: string; pass: boolean };
}

/** Per-round figures of every scenario, as the scenarios return them. */
export interface Rounds {
  overhead: Array<Record<string, { p50: number; p99: number }>>;
  throughput: Array<Record<string, number>>;
  progress: Array<Record<string, { p50: number; p99: number; errors: number; requests: number }>>;
  start: Array<{ p50: number; p99: number }>;
  memory: Array<{ idleMb: number; busyMb: number; perTaskMb: number }>;
}

const atMost = (limit: number, text: string) => (value: number) => ({ text, pass: value <= limit });
const atLeast = (limit: number, text: string) => (value: number) => ({ text, pass: value >= limit });

/** Every figure with its goal, judged on the median round. */
export function figuresOf(r: Rounds): Figure[] {
  const figures: Figure[] = [];
  const add = (name: string, unit: string, values: number[] | Spread, goal?: (median: number) => Figure['goal']) => {
    const s = Array.isArray(values) ? spread(values) : values;
    figures.push({ name, unit, spread: s, ...(goal ? { goal: goal(s.median) } : {}) });
  };

  if (r.overhead.length) {
    const of = (system: string, p: 'p50' | 'p99') => r.overhead.map((round) => round[system][p]);
    add('overhead p50, Temporal', 'ms', of('temporal', 'p50'), atMost(100, '≤ 100 ms'));
    add('overhead p99, Temporal', 'ms', of('temporal', 'p99'));
    add('overhead p50, BullMQ peer', 'ms', of('bullmq', 'p50'));
    add('overhead p99, BullMQ peer', 'ms', of('bullmq', 'p99'));
    add('overhead p50, in-process call', 'ms', of('inProcess', 'p50'));
    add('overhead p99, in-process call', 'ms', of('inProcess', 'p99'));
    add('overhead p50 ratio Temporal / BullMQ', '×', ratioSpread(of('temporal', 'p50'), of('bullmq', 'p50')), atMost(1.5, '≤ 1.5×'));
    add('overhead p50 ratio Temporal / in-process', '×', ratioSpread(of('temporal', 'p50'), of('inProcess', 'p50')));
  }
  if (r.throughput.length) {
    const of = (system: string) => r.throughput.map((round) => round[system]);
    add('throughput, Temporal', 'tasks/s', of('temporal'), atLeast(20, '≥ 20 tasks/s'));
    add('throughput, BullMQ peer', 'tasks/s', of('bullmq'));
    add('throughput ratio Temporal / BullMQ', '×', ratioSpread(of('temporal'), of('bullmq')), atLeast(0.5, '≥ 0.5×'));
  }
  if (r.progress.length) {
    const of = (target: string, p: 'p50' | 'p99') => r.progress.map((round) => round[target][p]);
    for (const [target, label] of [['running', '(a) running tasks'], ['finished', '(b) finished tasks'], ['hello', '(c) hello-world']] as const) {
      add(`progress p50, ${label}`, 'ms', of(target, 'p50'));
      add(`progress p99, ${label}`, 'ms', of(target, 'p99'));
    }
    add('progress p99 ratio b/c (finished / hello)', '×', ratioSpread(of('finished', 'p99'), of('hello', 'p99')), atMost(2, '≤ 2×'));
    add('progress p99 ratio a/c (running / hello)', '×', ratioSpread(of('running', 'p99'), of('hello', 'p99')), atMost(5, '≤ 5×'));
    const errors = r.progress.map((round) => Object.values(round).reduce((sum, t) => sum + t.errors, 0));
    add('progress errors (all targets, per round)', 'count', errors, (median) => ({ text: '0 in every round', pass: median === 0 && Math.max(...errors) === 0 }));
  }
  if (r.start.length) {
    add('start latency p50 (POST → task_id)', 'ms', r.start.map((s) => s.p50));
    add('start latency p99 (POST → task_id)', 'ms', r.start.map((s) => s.p99));
  }
  if (r.memory.length) {
    add('worker RSS idle', 'MB', r.memory.map((m) => m.idleMb));
    add('worker RSS with the tasks in flight', 'MB', r.memory.map((m) => m.busyMb));
    add('worker memory per in-flight task', 'MB', r.memory.map((m) => m.perTaskMb), atMost(1.5, '≤ 1.5 MB'));
  }
  return figures;
}

export function formatTable(figures: Figure[]): string {
  const rows = [['figure', 'median', 'min', 'max', 'unit', 'goal', ''] as string[]];
  for (const f of figures) {
    rows.push([
      f.name,
      format(f.spread.median),
      format(f.spread.min),
      format(f.spread.max),
      f.unit,
      f.goal?.text ?? '',
      f.goal ? (f.goal.pass ? 'PASS' : 'SHORT') : '',
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
