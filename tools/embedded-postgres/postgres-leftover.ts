/**
 * A server left running on a data directory by a process that died without stopping it (the
 * embedded server runs in its own process group, so it outlives a killed parent). A server whose
 * Node parent is still alive belongs to another running launcher and is left alone.
 *
 * postmaster.pid is PostgreSQL's lock on the directory. When its process is gone, PostgreSQL itself
 * takes over the stale file (and uses it to check no old backend still holds shared memory), so
 * this code does not touch it. Only two cases need help: the server is still alive, or its PID now belongs to an
 * unrelated process (PIDs restart low in containers), which PostgreSQL would mistake for a
 * running server.
 */
import { execFileSync } from 'node:child_process';
import { existsSync, readFileSync, readlinkSync, realpathSync, unlinkSync } from 'node:fs';
import path from 'node:path';

const STOP_WAIT_MS = 60_000;

/** The fields of /proc/<pid>/stat after the program name (state, parent PID, ...), on Linux. */
function procStat(pid: number): string[] | undefined {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    // The program name is parenthesised and may itself hold spaces.
    return stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  } catch {
    return undefined;
  }
}

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
  // An exited server whose new parent never reaps it (a container's PID 1 may not) is a zombie.
  return procStat(pid)?.[0] !== 'Z';
}

/** Whether `pid` is a postgres server working in `dataDir`; undefined when the OS cannot tell. */
function isServerOf(pid: number, dataDir: string): boolean | undefined {
  const dir = realpathSync(dataDir);
  if (existsSync(`/proc/${pid}`)) {
    try {
      // The server's working directory is its data directory.
      const comm = readFileSync(`/proc/${pid}/comm`, 'utf8').trim();
      return comm.startsWith('postgres') && readlinkSync(`/proc/${pid}/cwd`) === dir;
    } catch {
      return undefined;
    }
  }
  try {
    const command = execFileSync('ps', ['-p', String(pid), '-o', 'command='], { encoding: 'utf8' });
    return command.includes('postgres') && (command.includes(dir) || command.includes(dataDir));
  } catch {
    return undefined;
  }
}

/** The parent PID and the parent's program name, where the OS can tell. */
function parentOf(pid: number): { pid: number; command: string } | undefined {
  try {
    const stat = procStat(pid);
    if (stat) {
      const ppid = Number(stat[1]);
      return { pid: ppid, command: readFileSync(`/proc/${ppid}/comm`, 'utf8').trim() };
    }
    const ppid = Number(execFileSync('ps', ['-p', String(pid), '-o', 'ppid='], { encoding: 'utf8' }).trim());
    return { pid: ppid, command: execFileSync('ps', ['-p', String(ppid), '-o', 'comm='], { encoding: 'utf8' }).trim() };
  } catch {
    return undefined;
  }
}

async function waitForExit(pid: number, ms: number): Promise<boolean> {
  const deadline = Date.now() + ms;
  while (Date.now() < deadline) {
    if (!isAlive(pid)) return true;
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  return !isAlive(pid);
}

/** Clears the way for a new server on `dataDir`, stopping one left running there. */
export async function clearLeftoverServer(dataDir: string, log: (line: string) => void): Promise<void> {
  const pidFile = path.join(dataDir, 'postmaster.pid');
  if (!existsSync(pidFile)) return;
  const pid = Number.parseInt(readFileSync(pidFile, 'utf8').split('\n')[0] ?? '', 10);
  if (!Number.isInteger(pid) || pid <= 0 || !isAlive(pid)) return;

  const ours = isServerOf(pid, dataDir);
  if (ours === false) {
    log(`Removing stale ${pidFile}: PID ${pid} is now another program`);
    unlinkSync(pidFile);
    return;
  }
  if (ours === undefined) return; // Cannot tell; PostgreSQL will report it if it is a live server.
  const parent = parentOf(pid);
  if (parent && parent.pid > 1 && path.basename(parent.command).startsWith('node')) {
    throw new Error(
      `Embedded PostgreSQL on ${dataDir} is already running (PID ${pid}), started by process ${parent.pid} which is still alive; ` +
        'stop that process first or use another data directory',
    );
  }

  // Fast shutdown: rolls back open transactions and writes a checkpoint, so no data is lost.
  log(`Stopping the PostgreSQL server (PID ${pid}) left running on ${dataDir}`);
  process.kill(pid, 'SIGINT');
  if (await waitForExit(pid, STOP_WAIT_MS)) return;
  // Immediate shutdown: the next start replays the write-ahead log, still losing nothing committed.
  process.kill(pid, 'SIGQUIT');
  if (!(await waitForExit(pid, 10_000))) {
    throw new Error(`The PostgreSQL server (PID ${pid}) left running on ${dataDir} does not stop`);
  }
}
