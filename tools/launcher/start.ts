import { randomBytes } from 'node:crypto';
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { PROJECT_ROOT } from '../../config/project-root';
import { applyMigrations } from '../../db/migrate';
import { createPrismaClient } from '../../db/client';
import { redactPassword } from '../../db/database-admin';
import { startEmbeddedPostgres } from '../embedded-postgres/embedded-postgres';
import { startTemporalDevServer } from '../temporal-cli/dev-server';
import { startDemoProvider } from '../demo-provider/server';
import { startServiceProcess, type ServiceProcess } from './children';
import { writeRuntimeAddresses } from './runtime-file';
import { readLauncherSettings } from './settings';
import { configureDemoProvider, demoApi, ensureDemoAccount, ensureDemoKeywords, runDemoChain } from './demo';

const projectRoot = PROJECT_ROOT;

/**
 * `npm start`: the whole service on embedded defaults. PostgreSQL and Temporal come from
 * DATABASE_URL / TEMPORAL_ADDRESS when set, otherwise they are started here with their data under
 * DATA_DIR (.data/ by default; kept across restarts). Then migrations, the worker and the API (each
 * its own process, as in production), the demo provider, and the demo chain: one task of each AI
 * function, whose progress is printed. Ctrl-C stops everything in reverse order.
 */
async function main(): Promise<void> {
  const say = (line: string) => console.log(`[start] ${line}`);
  const stops: Array<{ name: string; stop: () => Promise<void> }> = [];
  let shuttingDown = false;
  const shutdown = async (code: number) => {
    if (shuttingDown) return;
    shuttingDown = true;
    say('Stopping…');
    for (const { name, stop } of stops.reverse()) {
      await stop().catch((err) => say(`Stopping ${name} failed: ${err instanceof Error ? err.message : err}`));
    }
    say('Stopped.');
    process.exit(code);
  };
  process.on('SIGINT', () => void shutdown(0));
  process.on('SIGTERM', () => void shutdown(0));

  try {
    const settings = readLauncherSettings();
    const { dataDir } = settings;
    await mkdir(dataDir, { recursive: true });

    let databaseUrl = process.env.DATABASE_URL;
    if (databaseUrl) {
      say(`Using PostgreSQL at ${redactPassword(databaseUrl)}`);
    } else {
      say(`DATABASE_URL not set: starting embedded PostgreSQL (data in ${path.join(dataDir, 'postgres')})`);
      const postgres = await startEmbeddedPostgres({ dataDir: path.join(dataDir, 'postgres'), port: settings.EMBEDDED_POSTGRES_PORT, log: say });
      stops.push({ name: 'PostgreSQL', stop: postgres.stop });
      databaseUrl = postgres.databaseUrl;
    }

    let temporalAddress = process.env.TEMPORAL_ADDRESS;
    let webUi = process.env.TEMPORAL_UI_URL ?? '';
    if (temporalAddress) {
      say(`Using Temporal at ${temporalAddress}`);
    } else {
      say(`TEMPORAL_ADDRESS not set: starting the Temporal dev server (data in ${path.join(dataDir, 'temporal')})`);
      const temporal = await startTemporalDevServer({
        projectRoot,
        dataDir: path.join(dataDir, 'temporal'),
        port: settings.TEMPORAL_PORT,
        uiPort: settings.TEMPORAL_UI_PORT,
        allowBuild: true,
        log: say,
      });
      stops.push({ name: 'Temporal dev server', stop: temporal.stop });
      temporalAddress = temporal.address;
      webUi = temporal.uiUrl;
    }

    const migrations = await applyMigrations(databaseUrl, { log: say });
    say(migrations.applied.length ? `Applied migrations: ${migrations.applied.join(', ')}` : 'Database schema is up to date');

    const { PORT: port, HOST: host } = settings;
    const demoProviderHost = `127.0.0.1:${settings.DEMO_PROVIDER_PORT}`;
    const serviceEnv = {
      LOG_LEVEL: 'warn',
      ...process.env,
      DATABASE_URL: databaseUrl,
      TEMPORAL_ADDRESS: temporalAddress,
      PORT: String(port),
      HOST: host,
      // The worker may call the bundled demo provider, besides what the operator allows.
      AI_PROVIDER_ALLOWED_HOSTS: [process.env.AI_PROVIDER_ALLOWED_HOSTS, demoProviderHost].filter(Boolean).join(','),
      STREAM_TOKEN_SECRET: process.env.STREAM_TOKEN_SECRET ?? (await localSecret(path.join(dataDir, 'stream-token-secret'))),
    };
    const onChildExit = (name: string) => (code: number | null) => {
      say(`${name} exited unexpectedly (code ${code}); stopping everything.`);
      void shutdown(1);
    };
    const worker: ServiceProcess = startServiceProcess('worker', path.join(projectRoot, 'worker/main.ts'), serviceEnv, onChildExit('The worker'));
    stops.push({ name: 'worker', stop: worker.stop });
    const api: ServiceProcess = startServiceProcess('api', path.join(projectRoot, 'api/server.ts'), serviceEnv, onChildExit('The API'));
    stops.push({ name: 'API', stop: api.stop });

    const provider = await startDemoProvider({ port: settings.DEMO_PROVIDER_PORT, host: '127.0.0.1', quiet: true });
    stops.push({ name: 'demo provider', stop: provider.close });

    const baseUrl = `http://${host === '0.0.0.0' ? '127.0.0.1' : host}:${port}`;
    await waitForApi(baseUrl);
    writeRuntimeAddresses(dataDir, { databaseUrl, temporalAddress, apiUrl: baseUrl, ...(webUi ? { temporalUiUrl: webUi } : {}) });

    const prisma = createPrismaClient(databaseUrl, { max: 2 });
    stops.push({ name: 'database client', stop: () => prisma.$disconnect() });
    const demo = await ensureDemoAccount(prisma, path.join(dataDir, 'demo-account.json'));
    const call = demoApi(baseUrl, demo.apiKey);
    await configureDemoProvider(call, provider.url);
    const keywordIds = await ensureDemoKeywords(call);

    say(`API:         ${baseUrl}/api/v1/health/`);
    say(`Page:        ${baseUrl}/app/ (sign in with the API key below)`);
    if (webUi) say(`Temporal UI: ${webUi}`);
    say(`Demo provider (OpenAI-compatible): ${provider.url}/v1`);
    say(`Demo account ${demo.accountId}${demo.created ? ' created' : ''}; API key: ${demo.apiKey}`);

    try {
      const finals = await runDemoChain(call, keywordIds, say);
      say(`Demo chain complete: ${finals.length} tasks, one of each AI function.`);
    } catch (err) {
      say(`Demo chain failed: ${err instanceof Error ? err.message : String(err)}`);
    }
    if (webUi) say(`See the runs in the Web UI: ${webUi}/namespaces/default/workflows`);
    say('Running. Press Ctrl-C to stop.');
  } catch (err) {
    say(err instanceof Error ? err.message : String(err));
    await shutdown(1);
  }
}

/** A random secret kept in the data directory (created once, readable by its owner only). */
async function localSecret(file: string): Promise<string> {
  try {
    return (await readFile(file, 'utf8')).trim();
  } catch {
    const secret = randomBytes(32).toString('base64url');
    await writeFile(file, `${secret}\n`, { mode: 0o600 });
    return secret;
  }
}

async function waitForApi(baseUrl: string, timeoutMs = 120_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    try {
      const response = await fetch(`${baseUrl}/api/v1/health/`);
      if (response.status === 200) return;
    } catch {
      // not listening yet
    }
    await new Promise((r) => setTimeout(r, 300));
  }
  throw new Error(`The API did not become healthy at ${baseUrl} within ${timeoutMs / 1000} s`);
}

void main();
