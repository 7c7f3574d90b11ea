import { percentile, ratioSpread, spread } from '../../tools/bench/stats';
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
