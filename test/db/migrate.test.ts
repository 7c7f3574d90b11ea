import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { Client } from 'pg';
import { dropDatabase, withDatabase } from '../../db/database-admin';
import { applyMigrations } from '../../db/migrate';
import { migrationChecksum, readMigrationFiles } from '../../db/migration-files';

const serverUrl = process.env.TEST_DATABASE_URL ?? 'postgresql://postgres@127.0.0.1:5432/postgres';
const createdDatabases: string[] = [];
const tempDirs: string[] = [];

function newDatabaseUrl(): string {
  const url = withDatabase(serverUrl, `ai_tasks_migrate_test_${Date.now().toString(36)}_${Math.random().toString(36).slice(2, 8)}`);
  createdDatabases.push(url);
  return url;
}

function migrationsDir(migrations: Record<string, string>): string {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'ai-tasks-migrations-'));
  tempDirs.push(dir);
  for (const [name, sql] of Object.entries(migrations)) {
    mkdirSync(path.join(dir, name));
    writeFileSync(path.join(dir, name, 'migration.sql'), sql);
  }
  return dir;
}

async function query<T extends object>(url: string, sql: string, params: unknown[] = []): Promise<T[]> {
  const client = new Client({ connectionString: url });
  await client.connect();
  try {
    return (await client.query<T>(sql, params)).rows;
  } finally {
    await client.end();
  }
}

async function tableExists(url: string, table: string): Promise<boolean> {
  const rows = await query<{ found: string | null }>(url, 'SELECT to_regclass($1)::text AS found', [`public.${table}`]);
  return rows[0].found !== null;
}

const quiet = { log: () => undefined };

afterAll(async () => {
  for (const url of createdDatabases) await dropDatabase(url);
  for (const dir of tempDirs) rmSync(dir, { recursive: true, force: true });
});

describe('applyMigrations', () => {
  test("creates a missing database, applies the project's migrations once and records them as Prisma does", async () => {
    const url = newDatabaseUrl();
    const files = readMigrationFiles();
    const [init] = files;
    const names = files.map((f) => f.name);

    const first = await applyMigrations(url, quiet);
    const second = await applyMigrations(url, quiet);

    expect(first).toEqual({ applied: names, alreadyApplied: [] });
    expect(second).toEqual({ applied: [], alreadyApplied: names });
    const history = await query<Record<string, unknown>>(url, 'SELECT * FROM _prisma_migrations ORDER BY migration_name');
    expect(history).toHaveLength(files.length);
    expect(history[0]).toMatchObject({
      migration_name: init.name,
      checksum: init.checksum,
      logs: null,
      rolled_back_at: null,
      applied_steps_count: 1,
    });
    expect(history[0].finished_at).toBeInstanceOf(Date);
    expect(init.checksum).toMatch(/^[0-9a-f]{64}$/);
    expect(await tableExists(url, 'ai_task_logs')).toBe(true);
  });

  test('a failing migration names itself and the SQL error, and leaves nothing of itself behind', async () => {
    const url = newDatabaseUrl();
    const dir = migrationsDir({
      '20260101000000_first': 'CREATE TABLE "first_table" ("id" SERIAL NOT NULL);\n',
      '20260102000000_broken': 'CREATE TABLE "half_done" ("id" INTEGER);\n\nINSERT INTO "missing_table" VALUES (1);\n',
    });

    const failure = applyMigrations(url, { migrationsDir: dir, ...quiet });

    await expect(failure).rejects.toThrow(/Migration 20260102000000_broken failed: relation "missing_table" does not exist/);
    await expect(failure).rejects.toThrow(/line 3, column 13: INSERT INTO "missing_table"/);
    expect(await tableExists(url, 'first_table')).toBe(true);
    expect(await tableExists(url, 'half_done')).toBe(false);
    const names = await query<{ migration_name: string }>(url, 'SELECT migration_name FROM _prisma_migrations');
    expect(names.map((row) => row.migration_name)).toEqual(['20260101000000_first']);
  });

  test('a fixed migration is applied on the next run', async () => {
    const url = newDatabaseUrl();
    const broken = migrationsDir({ '20260101000000_add_table': 'CREATE TABLE "t" ("id" INTEGR);\n' });
    await expect(applyMigrations(url, { migrationsDir: broken, ...quiet })).rejects.toThrow(/20260101000000_add_table/);

    writeFileSync(path.join(broken, '20260101000000_add_table', 'migration.sql'), 'CREATE TABLE "t" ("id" INTEGER);\n');

    expect(await applyMigrations(url, { migrationsDir: broken, ...quiet })).toEqual({ applied: ['20260101000000_add_table'], alreadyApplied: [] });
  });

  test('a migration edited after it was applied is reported, not re-run', async () => {
    const url = newDatabaseUrl();
    const dir = migrationsDir({ '20260101000000_add_table': 'CREATE TABLE "t" ("id" INTEGER);\n' });
    await applyMigrations(url, { migrationsDir: dir, ...quiet });
    writeFileSync(path.join(dir, '20260101000000_add_table', 'migration.sql'), 'CREATE TABLE "t" ("id" BIGINT);\n');
    const lines: string[] = [];

    const result = await applyMigrations(url, { migrationsDir: dir, log: (line) => lines.push(line) });

    expect(result).toEqual({ applied: [], alreadyApplied: ['20260101000000_add_table'] });
    expect(lines).toEqual([expect.stringMatching(/migration 20260101000000_add_table was modified after it was applied/)]);
  });

  test('a migration that Prisma recorded as failed blocks the run until it is resolved', async () => {
    const url = newDatabaseUrl();
    const dir = migrationsDir({ '20260101000000_add_table': 'CREATE TABLE "t" ("id" INTEGER);\n' });
    await applyMigrations(url, { migrationsDir: migrationsDir({}), ...quiet });
    await query(url, `INSERT INTO _prisma_migrations (id, checksum, migration_name, logs) VALUES ('x', $1, '20260101000000_add_table', 'boom')`, [
      migrationChecksum('CREATE TABLE "t" ("id" INTEGER);\n'),
    ]);

    await expect(applyMigrations(url, { migrationsDir: dir, ...quiet })).rejects.toThrow(
      /Migration 20260101000000_add_table is recorded as failed in _prisma_migrations: boom/,
    );

    await query(url, `UPDATE _prisma_migrations SET rolled_back_at = now()`);
    expect(await applyMigrations(url, { migrationsDir: dir, ...quiet })).toEqual({ applied: ['20260101000000_add_table'], alreadyApplied: [] });
  });

  test('processes starting together apply each migration exactly once', async () => {
    const url = newDatabaseUrl();
    await applyMigrations(url, { migrationsDir: migrationsDir({}), ...quiet });
    const dir = migrationsDir({
      '20260101000000_slow': 'SELECT pg_sleep(0.5);\nCREATE TABLE "t" ("id" INTEGER);\n',
    });

    const results = await Promise.all([1, 2, 3].map(() => applyMigrations(url, { migrationsDir: dir, ...quiet })));

    expect(results.flatMap((result) => result.applied)).toEqual(['20260101000000_slow']);
    expect(results.flatMap((result) => result.alreadyApplied)).toHaveLength(2);
  });
});
