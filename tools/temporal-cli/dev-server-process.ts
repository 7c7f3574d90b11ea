/**
 * Runs `temporal server start-dev` as a child process: its output goes to temporal-server.log beside
 * the database (and its tail into error messages), and it is stopped with SIGTERM so the SQLite file
 * is closed cleanly.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { createWriteStream } from 'node:fs';
import path from 'node:path';
import { createInterface } from 'node:readline';
import { TypedSearchAttributes } from '@temporalio/common';
import { SEARCH_ATTRIBUTES } from '../../pipeline/search-attributes';
import { devServerTuningArgs, type DevServerSettings, type RunningDevServer } from './dev-server-settings';
import { stopWithThisProcess } from './stop-with-process';
import { waitForNamespace } from './wait-for-server';

const READY_TIMEOUT_MS = 60_000;
const STOP_GRACE_MS = 15_000;
const TAIL_LINES = 30;

export async function spawnDevServer(cli: string, s: DevServerSettings): Promise<RunningDevServer> {
  const args = [
    'server', 'start-dev',
    '--db-filename', s.dbFilename,
    '--ip', s.ip,
    '--port', String(s.port),
    '--ui-port', String(s.uiPort),
    '--log-level', 'warn',
    ...devServerTuningArgs(s),
    // The "default" namespace always exists; others are created at launch.
    ...(s.namespace === 'default' ? [] : ['--namespace', s.namespace]),
    ...SEARCH_ATTRIBUTES.flatMap((key) => ['--search-attribute', `${key.name}=${TypedSearchAttributes.toMetadataType(key.type)}`]),
  ];
  const logFile = path.join(path.dirname(s.dbFilename), 'temporal-server.log');
  const logStream = createWriteStream(logFile, { flags: 'a' });
  const tail: string[] = [];
  // Its own process group: Ctrl-C in the terminal reaches only the launcher, which stops the worker
  // first and the server last, instead of the server vanishing under a draining worker.
  const child = spawn(cli, args, { stdio: ['ignore', 'pipe', 'pipe'], detached: process.platform !== 'win32' });
  const untie = stopWithThisProcess(child);
  for (const stream of [child.stdout!, child.stderr!]) {
    createInterface({ input: stream }).on('line', (line) => {
      logStream.write(`${line}\n`);
      tail.push(line);
      if (tail.length > TAIL_LINES) tail.shift();
    });
  }
  const describeTail = () => (tail.length ? `\nLast output of the Temporal dev server (full log: ${logFile}):\n${tail.join('\n')}` : '');

  let spawnError: Error | undefined;
  let stopping = false;
  const exited = new Promise<void>((resolve) => {
    child.once('close', () => resolve());
    // A binary that cannot be run reports 'error' and may never report 'close'.
    child.once('error', (err) => {
      spawnError = err;
      resolve();
    });
  });
  void exited.then(() => {
    untie();
    logStream.end();
    if (!stopping && !spawnError) s.log(`The Temporal dev server exited unexpectedly (${exitDescription(child)}).${describeTail()}`);
  });

  let stopped: Promise<void> | undefined;
  const stop = () => {
    stopped ??= (async () => {
      stopping = true;
      untie();
      if (hasExited(child) || spawnError) return;
      child.kill('SIGTERM');
      if (await finishesWithin(exited, STOP_GRACE_MS)) return;
      s.log(`The Temporal dev server did not stop within ${STOP_GRACE_MS / 1000} s of SIGTERM; killing it.`);
      child.kill('SIGKILL');
      await exited;
    })();
    return stopped;
  };

  const address = `${s.ip}:${s.port}`;
  try {
    await waitForNamespace(address, s.namespace, {
      timeoutMs: READY_TIMEOUT_MS,
      gaveUp: () => {
        if (spawnError) return `Could not run the Temporal CLI at ${cli}: ${spawnError.message}`;
        if (hasExited(child)) return `The Temporal dev server exited during startup (${exitDescription(child)}).${describeTail()}`;
        return undefined;
      },
    });
  } catch (err) {
    await stop();
    const message = (err as Error).message;
    throw new Error(message.includes('Last output') ? message : `${message}${describeTail()}`);
  }
  return { address, uiUrl: `http://${s.ip}:${s.uiPort}`, stop };
}

function hasExited(child: ChildProcess): boolean {
  return child.exitCode !== null || child.signalCode !== null;
}

function exitDescription(child: ChildProcess): string {
  return child.signalCode ? `signal ${child.signalCode}` : `exit code ${child.exitCode}`;
}

async function finishesWithin(promise: Promise<void>, ms: number): Promise<boolean> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<false>((resolve) => (timer = setTimeout(() => resolve(false), ms)));
  const result = await Promise.race([promise.then(() => true as const), timeout]);
  clearTimeout(timer);
  return result;
}
