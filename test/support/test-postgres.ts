import path from 'node:path';
import { Client } from 'pg';
import { startEmbeddedPostgres } from '../../tools/embedded-postgres/embedded-postgres';

export const DEFAULT_TEST_DATABASE_URL = 'postgresql://postgres@127.0.0.1:5432/postgres';

async function reachable(url: string): Promise<boolean> {
  const client = new Client({ connectionString: url, connectionTimeoutMillis: 2000 });
  try {
    await client.connect();
    await client.query('SELECT 1');
    return true;
  } catch {
    return false;
  } finally {
    await client.end().catch(() => undefined);
  }
}

/**
 * The PostgreSQL server tests create their databases on: TEST_DATABASE_URL, else the machine's
 * local server, else an embedded one under .data/ (so `npm test` works on a machine without one).
 */
export async function ensureTestPostgres(log: (line: string) => void): Promise<{ url: string; stop?: () => Promise<void> }> {
  const wanted = process.env.TEST_DATABASE_URL ?? DEFAULT_TEST_DATABASE_URL;
  if (await reachable(wanted)) return { url: wanted };
  if (process.env.TEST_DATABASE_URL) throw new Error(`TEST_DATABASE_URL is set but unreachable: ${process.env.TEST_DATABASE_URL}`);
  log('No PostgreSQL on 127.0.0.1:5432; starting an embedded one for the tests');
  const embedded = await startEmbeddedPostgres({ dataDir: path.resolve(__dirname, '../../.data/test-postgres'), port: 54330, log });
  return { url: embedded.databaseUrl, stop: embedded.stop };
}
