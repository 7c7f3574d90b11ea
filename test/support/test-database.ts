/**
 * A fresh, migrated database per test suite, so suites can run side by side and never see each
 * other's rows. TEST_DATABASE_URL names the server (any database on it); the default is the local
 * PostgreSQL used in development.
 */
import { randomBytes } from 'node:crypto';
import { createDatabase, dropDatabase, withDatabase } from '../../db/database-admin';
import { applyMigrations } from '../../db/migrate';

export type TestDatabase = {
  url: string;
  drop(): Promise<void>;
};

export async function createTestDatabase(
  baseUrl: string = process.env.TEST_DATABASE_URL ?? 'postgresql://postgres@127.0.0.1:5432/postgres',
  name: string = `ai_tasks_test_${Date.now().toString(36)}_${randomBytes(4).toString('hex')}`,
): Promise<TestDatabase> {
  const url = withDatabase(baseUrl, name);
  if (!(await createDatabase(url))) throw new Error(`Test database ${name} already exists`);
  try {
    await applyMigrations(url, { log: () => undefined });
  } catch (error) {
    await dropDatabase(url).catch(() => undefined);
    throw error;
  }
  return { url, drop: () => dropDatabase(url) };
}
