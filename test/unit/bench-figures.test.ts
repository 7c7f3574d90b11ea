import { maxInFlight, percentile, ratioSpread, spread, temporalReads } from '../../tools/bench/stats';
import { cpuPerTask, parseStat, treeTicks } from '../../tools/bench/cpu';
import { parseBlock } from '../../tools/bench/sse';
import { figuresOf, formatTable, type Rounds } from '../../tools/bench/report';
import { devServerTuningArgs } from '../../tools/temporal-cli/dev-server-settings';

describe('benchmark statistics', () => {
  it('takes nearest-rank percentiles of unsorted samples', () => {
    const samples = Array.from({ length: 200 }, (_, i) => 200 - i);
    expect(percentile(samples, 50)).toBe(100);
    expect(percentile(samples, 99)).toBe(198);
    expect(percentile([7], 99)).toBe(7);
    expect(percentile([], 50)).toBeNaN();
  });

  it('gives the median round with min and max, and ratios taken round by round', () => {
    expect(spread([30, 10, 20])).toEqual({ median: 20, min: 10, max: 30, rounds: [30, 10, 20] });
    expect(ratioSpread([100, 90, 120], [50, 60, 40]).median).toBe(2);
    expect(spread([40, 10]).median).toBe(25);
  });
});

const rounds = (temporalP50: number, bullmqP50: number): Rounds => ({
  overhead: [1, 2, 3].map(() => ({ temporal: { p50: temporalP50, p99: 200 }, bullmq: { p50: bullmqP50, p99: 90 }, inProcess: { p50: 30, p99: 60 } })),
  throughput: [{ temporal: 40, bullmq: 100 }],
  progress: [
    {
      hello: { p50: 1, p99: 4, errors: 0, requests: 100 },
      finished: { p50: 2, p99: 9, errors: 0, requests: 100 },
      running: { p50: 3, p99: 12, errors: 1, requests: 100 },
    },
  ],
  start: [{ p50: 10, p99: 30 }],
  memory: [{ idleMb: 200, busyMb: 300, perTaskMb: 0.5 }],
});

describe('benchmark goals', () => {
  it('judges each goal on the median round and prints SHORT with its figure when missed', () => {
    const figures = figuresOf(rounds(90, 50));
    const goal = (name: string) => figures.find((f) => f.name === name)!;
    expect(goal('overhead p50, Temporal').goal).toEqual({ text: '≤ 100 ms', pass: true });
    expect(goal('overhead p50 ratio Temporal / BullMQ')).toMatchObject({ spread: { median: 1.8 }, goal: { pass: false } });
    expect(goal('throughput ratio Temporal / BullMQ').goal?.pass).toBe(false);
    expect(goal('throughput, Temporal').goal?.pass).toBe(true);
    expect(goal('progress p99 ratio b/c (finished / hello)')).toMatchObject({ spread: { median: 2.25 }, goal: { pass: false } });
    expect(goal('progress p99 ratio a/c (running / hello)').goal?.pass).toBe(true);
    expect(goal('progress errors (all targets, per round)').goal?.pass).toBe(false);
    expect(goal('worker memory per in-flight task').goal?.pass).toBe(true);

    const table = formatTable(figures);
    expect(table).toMatch(/overhead p50 ratio Temporal \/ BullMQ\s+1\.80\s+1\.80\s+1\.80\s+×\s+≤ 1\.5×\s+SHORT/);
    expect(table).toMatch(/overhead p50, Temporal\s+90\.0 .*PASS/);
  });

  it('passes the ratio goal when the service is within 1.5× of the peer', () => {
    const figures = figuresOf(rounds(60, 50));
    expect(figures.find((f) => f.name === 'overhead p50 ratio Temporal / BullMQ')?.goal?.pass).toBe(true);
  });
});

describe('dev server tuning flags', () => {
  it('passes SQLite pragmas and dynamic config values as the CLI expects them', () => {
    expect(devServerTuningArgs({ sqlitePragmas: ['journal_mode=WAL'], dynamicConfig: { 'history.transferProcessorMaxPollRPS': 1000, 'system.enableActivityEagerExecution': true } })).toEqual([
      '--sqlite-pragma',
      'journal_mode=WAL',
      '--dynamic-config-value',
      'history.transferProcessorMaxPollRPS=1000',
      '--dynamic-config-value',
      'system.enableActivityEagerExecution=true',
    ]);
  });
});

describe('new scenarios and fair figures', () => {
  const load = (loadAverage: number) => ({ loadAverage, cores: 2, flagged: loadAverage > 2 });
  const newRounds = (over: Partial<Rounds> = {}): Rounds => ({
    overhead: [],
    throughput: [],
    progress: [],
    start: [],
    memory: [],
    batch: [
      { items: 20, limit: 4, callMs: 1000, wallS: 5.6, goalS: 6, sequentialS: 20, calls: 20, maxInFlight: 4 },
      { items: 20, limit: 4, callMs: 1000, wallS: 6.4, goalS: 6, sequentialS: 20, calls: 20, maxInFlight: 4 },
      { items: 20, limit: 4, callMs: 1000, wallS: 5.9, goalS: 6, sequentialS: 20, calls: 20, maxInFlight: 5 },
    ],
    fairness: [
      {
        bIdle: { p50: 100, p99: 150 },
        bLoaded: { p50: 150, p99: 400 },
        bRoundsDuringBacklog: 20,
        bRounds: 20,
        aTasks: 200,
        aLimit: 4,
        aMaxInFlight: 4,
        cap: 8,
        allMaxInFlight: 5,
      },
    ],
    scaleOut: [{ tasks: 200, apis: 2, clients: 400, tasksPerSecond: 12, deliveryP50: 40, deliveryP99: 900, clientsWithoutDone: 0, rowsMissed: 1 }],
    conditions: {
      batch: [
        { load: load(0.5), cpu: { temporal: { worker: 100, api: 10, bench: 5 } } },
        { load: load(3.1), cpu: { temporal: { worker: 120, api: 10, bench: 5 } } },
        { load: load(1.0), cpu: { temporal: { worker: 110, api: 10, bench: 5 } } },
      ],
      fairness: [{ load: load(1), cpu: { temporal: { worker: 20, postgres: 5 } } }],
    },
    ...over,
  });
  const find = (figures: ReturnType<typeof figuresOf>, start: string) => figures.find((f) => f.name.startsWith(start))!;

  it('judges the batch on its median round, prints the one-at-a-time figure beside it and checks the limit held', () => {
    const figures = figuresOf(newRounds());
    expect(find(figures, 'batch wall time')).toMatchObject({ spread: { median: 5.9 }, goal: { text: '≤ 6.0 s (1.2 × ceil(20/4) × 1 s)', pass: true } });
    expect(find(figures, 'batch one call at a time').spread.median).toBe(20);
    expect(find(figures, 'batch calls in flight at most').goal?.pass).toBe(true);
    const slow = figuresOf(newRounds({ batch: newRounds().batch!.map((b) => ({ ...b, wallS: 6.5 })) }));
    expect(find(slow, 'batch wall time').goal?.pass).toBe(false);
  });

  it('notes the rounds that began above the core count and sums CPU per task over the processes', () => {
    const figures = figuresOf(newRounds());
    expect(find(figures, 'batch wall time').note).toBe('1 of 3 round(s) began at load 3.1 > 2 cores');
    expect(find(figures, 'CPU per task, batch').spread).toMatchObject({ median: 125, min: 115, max: 135 });
    expect(find(figures, 'fairness B p50 ratio').note).toBeUndefined();
    expect(formatTable(figures)).toMatch(/batch wall time .*PASS\s+1 of 3 round\(s\) began at load 3\.1 > 2 cores/);
  });

  it("holds B's time to its call behind A's flood to twice the idle figure, and A to its limit", () => {
    const figures = figuresOf(newRounds());
    expect(find(figures, 'fairness B p50 ratio')).toMatchObject({ spread: { median: 1.5 }, goal: { text: '≤ 2×', pass: true } });
    expect(find(figures, 'fairness B p99 ratio')).toMatchObject({ spread: { median: 400 / 150 }, goal: { pass: false } });
    expect(find(figures, "fairness A's calls in flight").goal).toEqual({ text: "≤ 4 (A's limit)", pass: true });
    expect(find(figures, 'fairness all calls in flight').goal?.pass).toBe(true);
    expect(find(figures, "fairness B tasks started while A's backlog").goal).toEqual({ text: 'all 20', pass: true });
  });

  it('wants every SSE client to see its done event and every row', () => {
    const figures = figuresOf(newRounds());
    expect(find(figures, 'scale-out SSE clients without').goal?.pass).toBe(true);
    expect(find(figures, 'scale-out progress rows a client missed').goal?.pass).toBe(false);
    expect(find(figures, 'scale-out throughput').spread.median).toBe(12);
  });
});

describe('fair-figure helpers', () => {
  it('counts the most calls in flight at once, an end and a start at one instant not overlapping', () => {
    expect(maxInFlight([])).toBe(0);
    expect(maxInFlight([{ start: 0, end: 10 }, { start: 10, end: 20 }])).toBe(1);
    expect(maxInFlight([{ start: 0, end: 10 }, { start: 5, end: 20 }, { start: 6, end: 7 }, { start: 12, end: 30 }])).toBe(3);
  });

  it('reads utime+stime and the reaped children from /proc/<pid>/stat, whatever the command name holds', () => {
    const line = '4242 (node (worker) x) S 4000 4242 4000 0 -1 4194560 100 0 0 0 150 50 7 3 20 0 11 0 1000 0 0';
    expect(parseStat(line)).toEqual({ ppid: 4000, own: 200, reaped: 10 });
  });

  it('counts a process tree once: live processes their own time, ended ones through the parent that reaped them', () => {
    const stats = new Map([
      [1, { ppid: 0, own: 100, reaped: 40 }],
      [2, { ppid: 1, own: 30, reaped: 0 }],
      [3, { ppid: 2, own: 5, reaped: 0 }],
      [9, { ppid: 0, own: 1000, reaped: 0 }],
    ]);
    const children = new Map([
      [1, [2]],
      [2, [3]],
      [0, [1, 9]],
    ]);
    expect(treeTicks(1, stats, children)).toBe(175);
    expect(treeTicks(2, stats, children)).toBe(35);
  });

  it('turns tick deltas into CPU ms per task, never below zero', () => {
    const perTask = cpuPerTask({ at: 0, ticks: { worker: 100, api: 50 } }, { at: 1, ticks: { worker: 300, api: 40, bench: 10 } }, 4, 100);
    expect(perTask).toEqual({ worker: 500, api: 0, bench: 0 });
  });

  it('parses SSE blocks and skips comments', () => {
    expect(parseBlock('id: 17\nevent: progress\ndata: {"state":"PROGRESS"}', 5)).toEqual({ id: 17, event: 'progress', receivedAt: 5 });
    expect(parseBlock('event: progress\ndata: {}', 6)).toEqual({ event: 'progress', receivedAt: 6 });
    expect(parseBlock(': keep-alive')).toBeUndefined();
  });

  it("counts the Temporal frontend's reads of runs from its metrics, not the worker's calls or other services", () => {
    const metrics = [
      '# TYPE service_requests counter',
      'service_requests{namespace="default",operation="QueryWorkflow",service_name="frontend"} 120',
      'service_requests{namespace="default",operation="QueryWorkflow",service_name="history"} 120',
      'service_requests{namespace="default",operation="DescribeWorkflowExecution",service_name="frontend"} 3',
      'service_requests{namespace="default",operation="PollWorkflowTaskQueue",service_name="frontend"} 999',
    ].join('\n');
    expect(temporalReads(metrics)).toBe(123);
    expect(temporalReads(undefined)).toBeUndefined();
  });
});
