import { ChildProcess, spawn } from 'node:child_process';
import { chmodSync, existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { Client } from 'pg';
import { EmbeddedPostgres, startEmbeddedPostgres } from '../../tools/embedded-postgres/embedded-postgres';

const repoRoot = path.resolve(__dirname, '../..');
let workDir: string;
let dataDir: string;
let port: number;
let running: EmbeddedPostgres | undefined;

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = net.createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port: chosen } = server.address() as net.AddressInfo;
      server.close(() => resolve(chosen));
    });
  });
}

async function query<T extends object>(url: string, sql: string): Promise<T[]> {
  const client = new Client({ connectionString: url });
  await client.connect();
  try {
    return (await client.query<T>(sql)).rows;
  } finally {
    await client.end();
  }
}

async function acceptsConnections(url: string): Promise<boolean> {
  return query(url, 'SELECT 1').then(
    () => true,
    () => false,
  );
}

/** Starts the server from another Node process, as a second launcher would. */
async function startInAnotherProcess(): Promise<ChildProcess> {
  const script = `require(${JSON.stringify(path.join(repoRoot, 'tools/embedded-postgres/embedded-postgres.ts'))})
    .startEmbeddedPostgres({ dataDir: ${JSON.stringify(dataDir)}, port: ${port} })
    .then(() => console.log('started'), (error) => { console.error(error); process.exit(1); });`;
  const launcher = spawn(process.execPath, ['--require', 'tsx/cjs', '-e', script], { cwd: repoRoot, stdio: ['ignore', 'pipe', 'inherit'] });
  await new Promise<void>((resolve, reject) => {
    launcher.stdout.on('data', (chunk: Buffer) => chunk.toString().includes('started') && resolve());
    launcher.on('exit', (code) => reject(new Error(`the other launcher exited early (code ${code})`)));
  });
  return launcher;
}

async function kill(launcher: ChildProcess): Promise<void> {
  const exited = new Promise((resolve) => launcher.once('exit', resolve));
  launcher.kill('SIGKILL');
  await exited;
}

beforeAll(async () => {
  workDir = mkdtempSync(path.join(os.tmpdir(), 'ai-tasks-embedded-pg-'));
  // As root the server runs as the `postgres` user, which must be able to enter this directory.
  chmodSync(workDir, 0o755);
  dataDir = path.join(workDir, 'postgres');
  port = await freePort();
});

afterEach(async () => {
  await running?.stop();
  running = undefined;
});

afterAll(() => {
  if (workDir) rmSync(workDir, { recursive: true, force: true });
});

test('initialises a cluster on first start and keeps its data across a stop and a restart', async () => {
  const firstLog: string[] = [];
  running = await startEmbeddedPostgres({ dataDir, port, log: (line) => firstLog.push(line) });
  const url = running.databaseUrl;
  expect(url).toMatch(new RegExp(`^postgresql://postgres:[^@]+@127\\.0\\.0\\.1:${port}/ai_tasks$`));
  expect(firstLog).toContainEqual(expect.stringMatching(/Initialising PostgreSQL cluster/));
  await query(url, "CREATE TABLE kept (note TEXT); INSERT INTO kept VALUES ('survives restarts')");
  await running.stop();
  expect(await acceptsConnections(url)).toBe(false);
  expect(existsSync(path.join(dataDir, 'postmaster.pid'))).toBe(false);

  const secondLog: string[] = [];
  running = await startEmbeddedPostgres({ dataDir, port, log: (line) => secondLog.push(line) });

  expect(running.databaseUrl).toBe(url);
  expect(secondLog).not.toContainEqual(expect.stringMatching(/Initialising|Created database/));
  expect(await query(running.databaseUrl, 'SELECT note FROM kept')).toEqual([{ note: 'survives restarts' }]);
});

test('a server still owned by another running launcher is not taken over', async () => {
  const launcher = await startInAnotherProcess();
  try {
    await expect(startEmbeddedPostgres({ dataDir, port })).rejects.toThrow(/already running .* started by process \d+ which is still alive/);
  } finally {
    await kill(launcher);
  }
});

test('a server left running by a killed launcher does not block the next start', async () => {
  await kill(await startInAnotherProcess());
  const leftoverPid = Number(readFileSync(path.join(dataDir, 'postmaster.pid'), 'utf8').split('\n')[0]);
  const log: string[] = [];

  running = await startEmbeddedPostgres({ dataDir, port, log: (line) => log.push(line) });

  expect(log).toContainEqual(expect.stringContaining(`Stopping the PostgreSQL server (PID ${leftoverPid}) left running`));
  expect(await query(running.databaseUrl, 'SELECT note FROM kept')).toEqual([{ note: 'survives restarts' }]);
});

test('a port taken by another program is reported instead of failing obscurely', async () => {
  const blocker = net.createServer();
  await new Promise<void>((resolve) => blocker.listen(port, '127.0.0.1', resolve));
  try {
    await expect(startEmbeddedPostgres({ dataDir, port })).rejects.toThrow(`Port ${port} (the embedded PostgreSQL for ${dataDir}) is already in use`);
  } finally {
    await new Promise((resolve) => blocker.close(resolve));
  }
});
