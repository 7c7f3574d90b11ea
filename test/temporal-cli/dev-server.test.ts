import { spawn } from 'node:child_process';
import { promises as fs } from 'node:fs';
import { createServer } from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { Connection } from '@temporalio/client';
import { SEARCH_ATTRIBUTES } from '../../pipeline/search-attributes';
import { startTemporalDevServer } from '../../tools/temporal-cli/dev-server';
import { locateTemporalCli } from '../../tools/temporal-cli/locate';
import { waitForNamespace } from '../../tools/temporal-cli/wait-for-server';
import { freePort } from '../../tools/net/ports';

const projectRoot = path.resolve(__dirname, '..', '..');
const KEYWORD = 2; // temporal.api.enums.v1.IndexedValueType.INDEXED_VALUE_TYPE_KEYWORD
let dataDir: string;

beforeEach(async () => {
  dataDir = await fs.mkdtemp(path.join(os.tmpdir(), 'temporal-dev-server-'));
});

afterEach(async () => {
  await fs.rm(dataDir, { recursive: true, force: true });
});

async function startOnFreePorts() {
  return startTemporalDevServer({ projectRoot, dataDir, port: await freePort(), uiPort: await freePort(), allowBuild: false });
}

async function customSearchAttributes(address: string): Promise<Record<string, number>> {
  const connection = await Connection.connect({ address });
  try {
    await connection.workflowService.describeNamespace({ namespace: 'default' });
    const { customAttributes } = await connection.operatorService.listSearchAttributes({ namespace: 'default' });
    return Object.fromEntries(Object.entries(customAttributes ?? {}).map(([name, type]) => [name, Number(type)]));
  } finally {
    await connection.close();
  }
}

const expectedAttributes = Object.fromEntries(SEARCH_ATTRIBUTES.map((key) => [key.name, KEYWORD]));

test('the dev server starts with the search attributes, and restarts on the same database keeping them', async () => {
  const first = await startOnFreePorts();
  try {
    expect(await customSearchAttributes(first.address)).toMatchObject(expectedAttributes);
    expect((await fetch(first.uiUrl)).status).toBe(200);
  } finally {
    await first.stop();
  }

  const second = await startOnFreePorts();
  try {
    expect(await customSearchAttributes(second.address)).toMatchObject(expectedAttributes);
  } finally {
    await second.stop();
  }
  await expect(fs.stat(path.join(dataDir, 'temporal.db'))).resolves.toBeTruthy();
});

/** Creates <dataDir>/temporal.db with the plain CLI, as another tool or an older version of this one would. */
async function createDatabaseOutsideTheLauncher(extraArgs: string[]): Promise<void> {
  const cli = await locateTemporalCli({ projectRoot, allowBuild: false });
  if (cli.path === undefined) throw new Error(`These tests need a Temporal CLI: ${cli.reason}`);
  const port = await freePort();
  const dbFilename = path.join(dataDir, 'temporal.db');
  const args = ['server', 'start-dev', '--db-filename', dbFilename, '--port', String(port), '--ip', '127.0.0.1', '--headless', '--log-level', 'error'];
  const server = spawn(cli.path, [...args, ...extraArgs], { stdio: 'ignore' });
  try {
    await waitForNamespace(`127.0.0.1:${port}`, 'default', { timeoutMs: 30_000 });
  } finally {
    server.kill('SIGTERM');
    await new Promise((resolve) => server.once('close', resolve));
  }
}

test('a database created without the search attributes gets them on the next start', async () => {
  await createDatabaseOutsideTheLauncher([]);

  const server = await startOnFreePorts();
  try {
    expect(await customSearchAttributes(server.address)).toMatchObject(expectedAttributes);
  } finally {
    await server.stop();
  }
});

test('an attribute registered with another type stops the start with a message naming it', async () => {
  await createDatabaseOutsideTheLauncher(['--search-attribute', 'AiAccount=Text']);

  await expect(startOnFreePorts()).rejects.toThrow(/Search attribute AiAccount already exists .* as Text, but this service writes it as Keyword/);
});

test('a taken port fails with a message naming the port', async () => {
  const squatter = createServer();
  await new Promise<void>((resolve) => squatter.listen(0, '127.0.0.1', resolve));
  const port = (squatter.address() as { port: number }).port;
  try {
    await expect(startTemporalDevServer({ projectRoot, dataDir, port, uiPort: await freePort(), allowBuild: false })).rejects.toThrow(
      new RegExp(`Port ${port} \\(Temporal frontend\\) is already in use`),
    );
  } finally {
    squatter.close();
  }
});

test('with no CLI anywhere and no download possible, the error says what to install', async () => {
  const savedEnv = { ...process.env };
  delete process.env.TEMPORAL_CLI_PATH;
  process.env.PATH = path.join(dataDir, 'empty-path');
  // The SDK downloads through this proxy, which refuses connections: the download fails here even on a machine with internet.
  process.env.HTTPS_PROXY = 'http://127.0.0.1:9';
  try {
    await expect(
      startTemporalDevServer({ projectRoot: dataDir, dataDir, port: await freePort(), uiPort: await freePort(), allowBuild: false }),
    ).rejects.toThrow(/Temporal CLI not found: set TEMPORAL_CLI_PATH, put `temporal` on PATH, install Go \(to build it\),[\s\S]*download failed/);
  } finally {
    process.env = savedEnv;
  }
});
