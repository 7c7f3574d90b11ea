/**
 * Creating and dropping whole databases on a PostgreSQL server, so a fresh machine (or a test) can
 * start from a server URL alone. CREATE/DROP DATABASE cannot run inside the database concerned,
 * so these statements go through the server's `postgres` maintenance database.
 */
import { Client } from 'pg';

/** PostgreSQL error codes these helpers recognise. */
const DATABASE_DOES_NOT_EXIST = '3D000';
const DATABASE_ALREADY_EXISTS = '42P04';
/** Two sessions creating the same database at once collide on pg_database's unique index. */
const UNIQUE_VIOLATION = '23505';

export function databaseName(databaseUrl: string): string {
  const name = decodeURIComponent(new URL(databaseUrl).pathname.replace(/^\//, ''));
  if (!name) throw new Error(`The database URL names no database: ${redactPassword(databaseUrl)}`);
  return name;
}

/** The same server and credentials, pointed at another database. */
export function withDatabase(databaseUrl: string, name: string): string {
  const url = new URL(databaseUrl);
  url.pathname = `/${encodeURIComponent(name)}`;
  return url.toString();
}

export function redactPassword(databaseUrl: string): string {
  try {
    const url = new URL(databaseUrl);
    if (url.password) url.password = '***';
    return url.toString();
  } catch {
    return '<unparseable database URL>';
  }
}

async function onMaintenanceDatabase<T>(databaseUrl: string, work: (client: Client) => Promise<T>): Promise<T> {
  const client = new Client({ connectionString: withDatabase(databaseUrl, 'postgres') });
  await client.connect();
  try {
    return await work(client);
  } finally {
    await client.end();
  }
}

export async function databaseExists(databaseUrl: string): Promise<boolean> {
  const name = databaseName(databaseUrl);
  return onMaintenanceDatabase(databaseUrl, async (client) => {
    const found = await client.query('SELECT 1 FROM pg_database WHERE datname = $1', [name]);
    return found.rowCount === 1;
  });
}

/** Creates the database named in the URL; returns false when it already existed. */
export async function createDatabase(databaseUrl: string): Promise<boolean> {
  const name = databaseName(databaseUrl);
  return onMaintenanceDatabase(databaseUrl, async (client) => {
    try {
      await client.query(`CREATE DATABASE ${client.escapeIdentifier(name)}`);
      return true;
    } catch (error) {
      const code = (error as { code?: string }).code;
      if (code === DATABASE_ALREADY_EXISTS || code === UNIQUE_VIOLATION) return false;
      throw error;
    }
  });
}

/**
 * Creates the database named in the URL unless it can already be connected to. Trying the database
 * first keeps this working for users allowed into their database but not into `postgres`.
 */
export async function ensureDatabaseExists(databaseUrl: string): Promise<void> {
  const probe = new Client({ connectionString: databaseUrl });
  try {
    await probe.connect();
    return;
  } catch (error) {
    if ((error as { code?: string }).code !== DATABASE_DOES_NOT_EXIST) throw error;
  } finally {
    await probe.end().catch(() => undefined);
  }
  await createDatabase(databaseUrl);
}

/** Drops the database named in the URL, closing any sessions still connected to it. */
export async function dropDatabase(databaseUrl: string): Promise<void> {
  const name = databaseName(databaseUrl);
  await onMaintenanceDatabase(databaseUrl, async (client) => {
    await client.query(`DROP DATABASE IF EXISTS ${client.escapeIdentifier(name)} WITH (FORCE)`);
  });
}
