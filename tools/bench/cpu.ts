import { execFileSync } from 'node:child_process';
import { readdirSync, readFileSync, readlinkSync } from 'node:fs';
import os from 'node:os';

/** The processes a figure's CPU is read from, by role: each pid counts with every process under it. */
export type ProcessGroups = Record<string, number[]>;

/** CPU time of each role, in ms, per task of the stretch measured. */
export type CpuPerTask = Record<string, number>;

/** The one-minute load average when a round started, and whether it was above the core count. */
export interface RoundLoad {
  loadAverage: number;
  cores: number;
  flagged: boolean;
}

export function loadAtStart(): RoundLoad {
  const cores = os.cpus().length;
  const loadAverage = os.loadavg()[0];
  return { loadAverage, cores, flagged: loadAverage > cores };
}

export function describeLoad(load: RoundLoad): string {
  return `load ${load.loadAverage.toFixed(2)}${load.flagged ? ` > ${load.cores} cores: FLAGGED` : ''}`;
}

/** What a round ran under: the load average at its start, and the CPU per task of each system it ran, by process. */
export interface RoundConditions {
  load: RoundLoad;
  cpu: Record<string, CpuPerTask>;
  /** Temporal queries the dev server answered per poll of a running task (from its /metrics), when readable. */
  temporalRpcsPerRunningPoll?: number;
}

let ticksPerSecond: number | undefined;
function clockTicks(): number {
  if (ticksPerSecond === undefined) {
    try {
      ticksPerSecond = Number(execFileSync('getconf', ['CLK_TCK'], { encoding: 'utf8' }).trim()) || 100;
    } catch {
      ticksPerSecond = 100;
    }
  }
  return ticksPerSecond;
}

interface StatLine {
  ppid: number;
  /** utime + stime */
  own: number;
  /** cutime + cstime: children that ended and were waited for */
  reaped: number;
}

/** Fields of /proc/<pid>/stat after the command name (which may hold spaces and parentheses). */
export function parseStat(text: string): StatLine | undefined {
  const rest = text.slice(text.lastIndexOf(')') + 2).split(' ');
  // rest[0] is field 3 (state): ppid is field 4, utime..cstime fields 14–17.
  const field = (n: number) => Number(rest[n - 3]);
  const line = { ppid: field(4), own: field(14) + field(15), reaped: field(16) + field(17) };
  return Number.isFinite(line.own) && Number.isFinite(line.reaped) ? line : undefined;
}

function readAllStats(): Map<number, StatLine> {
  const stats = new Map<number, StatLine>();
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const line = parseStat(readFileSync(`/proc/${entry}/stat`, 'utf8'));
      if (line) stats.set(Number(entry), line);
    } catch {
      // the process ended meanwhile
    }
  }
  return stats;
}

/**
 * CPU ticks of a process tree: each live process's own time plus what its ended children were
 * reaped with, so every tick is counted once, whether its process is still running or not.
 */
export function treeTicks(root: number, stats: Map<number, StatLine>, children: Map<number, number[]>): number {
  let total = 0;
  const stack = [root];
  while (stack.length) {
    const pid = stack.pop()!;
    const line = stats.get(pid);
    if (!line) continue;
    total += line.own + line.reaped;
    stack.push(...(children.get(pid) ?? []));
  }
  return total;
}

export interface CpuSnapshot {
  at: number;
  ticks: Record<string, number>;
}

/**
 * Reads the CPU time of every role from /proc (Linux): `bench` is this process alone (its
 * children are the other roles), every other role its processes' whole trees. Unavailable
 * elsewhere: `snapshot` then answers no roles.
 */
export class CpuMeter {
  readonly available = process.platform === 'linux';

  constructor(private readonly groups: () => ProcessGroups) {}

  snapshot(): CpuSnapshot {
    const ticks: Record<string, number> = {};
    if (!this.available) return { at: Date.now(), ticks };
    const stats = readAllStats();
    const children = new Map<number, number[]>();
    for (const [pid, line] of stats) children.set(line.ppid, [...(children.get(line.ppid) ?? []), pid]);
    for (const [role, pids] of Object.entries(this.groups())) {
      ticks[role] = pids.reduce((sum, pid) => sum + treeTicks(pid, stats, children), 0);
    }
    ticks.bench = stats.get(process.pid)?.own ?? 0;
    return { at: Date.now(), ticks };
  }

  /** CPU ms per task of each role since `from` (a role whose processes were replaced meanwhile may read low). */
  perTask(from: CpuSnapshot, tasks: number): CpuPerTask {
    return cpuPerTask(from, this.snapshot(), tasks, clockTicks());
  }
}

export function cpuPerTask(from: CpuSnapshot, to: CpuSnapshot, tasks: number, ticksPerSec: number): CpuPerTask {
  const perTask: CpuPerTask = {};
  for (const [role, ticks] of Object.entries(to.ticks)) {
    const delta = Math.max(0, ticks - (from.ticks[role] ?? ticks));
    perTask[role] = ((delta / ticksPerSec) * 1000) / Math.max(1, tasks);
  }
  return perTask;
}

export function totalCpu(perTask: CpuPerTask): number {
  return Object.values(perTask).reduce((sum, ms) => sum + ms, 0);
}

export function describeCpu(perTask: CpuPerTask): string {
  const parts = Object.entries(perTask)
    .filter(([, ms]) => ms >= 0.05)
    .map(([role, ms]) => `${role} ${ms.toFixed(1)}`);
  return `CPU ms/task ${totalCpu(perTask).toFixed(1)}${parts.length ? ` (${parts.join(', ')})` : ''}`;
}

/** Every listening TCP socket of this machine: its port and its inode (from /proc/net/tcp and tcp6). */
function listeningSockets(): Array<{ port: number; inode: string }> {
  const sockets: Array<{ port: number; inode: string }> = [];
  for (const table of ['/proc/net/tcp', '/proc/net/tcp6']) {
    let text = '';
    try {
      text = readFileSync(table, 'utf8');
    } catch {
      continue;
    }
    for (const row of text.split('\n').slice(1)) {
      const cols = row.trim().split(/\s+/);
      // local_address is ADDR:PORT in hex; state 0A is LISTEN.
      if (cols.length > 9 && cols[3] === '0A') sockets.push({ port: parseInt(cols[1].split(':')[1], 16), inode: cols[9] });
    }
  }
  return sockets;
}

/** The inodes of a process's open sockets; empty when it is gone or not visible to this user. */
function socketInodesOf(pid: number | string): Set<string> {
  const inodes = new Set<string>();
  let fds: string[];
  try {
    fds = readdirSync(`/proc/${pid}/fd`);
  } catch {
    return inodes;
  }
  for (const fd of fds) {
    try {
      const inode = /^socket:\[(\d+)\]$/.exec(readlinkSync(`/proc/${pid}/fd/${fd}`))?.[1];
      if (inode) inodes.add(inode);
    } catch {
      // closed meanwhile
    }
  }
  return inodes;
}

/**
 * The process listening on a local TCP port (the Temporal dev server's frontend), found through
 * /proc/net/tcp and the processes' open sockets; undefined when it is not on this machine or not
 * visible to this user.
 */
export function pidListeningOn(port: number): number | undefined {
  if (process.platform !== 'linux') return undefined;
  const inodes = new Set(listeningSockets().filter((socket) => socket.port === port).map((socket) => socket.inode));
  if (!inodes.size) return undefined;
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    for (const inode of socketInodesOf(entry)) if (inodes.has(inode)) return Number(entry);
  }
  return undefined;
}

/** The ports a process (and its threads) listens on, for finding the dev server's metrics endpoint. */
export function listeningPortsOf(pid: number): number[] {
  if (process.platform !== 'linux') return [];
  const inodes = socketInodesOf(pid);
  return [...new Set(listeningSockets().filter((socket) => inodes.has(socket.inode)).map((socket) => socket.port))];
}
