/**
 * Applies the migrations in prisma/migrations with `pg` alone, because Prisma's migrate commands need
 * a native schema engine that cannot be downloaded everywhere this service starts.
 *
 * The bookkeeping is Prisma's own: the `_prisma_migrations` table, its checksums and its advisory
 * lock. So `prisma migrate deploy` run later treats these migrations as applied, a database migrated
 * by Prisma is recognised here, and this runner and Prisma never migrate one database at once.
 */
import { randomUUID } from 'node:crypto';
import { Client, DatabaseError } from 'pg';
import { ensureDatabaseExists } from './database-admin';
import { checksumMatches, MigrationFile, readMigrationFiles } from './migration-files';

/** The key `prisma migrate` locks with (pg_advisory_lock(72707369)). */
const PRISMA_MIGRATE_LOCK = 72707369;
/** The API and the worker may start together; the second waits while the first migrates. */
const LOCK_WAIT = '120s';

/** Prisma's DDL for its history table, so the table is the same whichever tool created it. */
const CREATE_MIGRATIONS_TABLE = `CREATE TABLE IF NOT EXISTS _prisma_migrations (
    id                      VARCHAR(36) PRIMARY KEY NOT NULL,
    checksum                VARCHAR(64) NOT NULL,
    finished_at             TIMESTAMPTZ,
    migration_name          VARCHAR(255) NOT NULL,
    logs                    TEXT,
    rolled_back_at          TIMESTAMPTZ,
    started_at              TIMESTAMPTZ NOT NULL DEFAULT now(),
    applied_steps_count     INTEGER NOT NULL DEFAULT 0
)`;

export type MigrateOptions = {
  migrationsDir?: string;
  log?: (line: string) => void;
};

export type MigrateResult = {
  applied: string[];
  alreadyApplied: string[];
};

type MigrationRecord = {
  migration_name: string;
  checksum: string;
  finished_at: Date | null;
  rolled_back_at: Date | null;
  logs: string | null;
};

export class MigrationFailedError extends Error {
  constructor(
    readonly migrationName: string,
    message: string,
  ) {
    super(message);
    this.name = 'MigrationFailedError';
  }
}

export async function applyMigrations(databaseUrl: string, opts: MigrateOptions = {}): Promise<MigrateResult> {
  const log = opts.log ?? ((line: string) => console.log(line));
  const migrations = readMigrationFiles(opts.migrationsDir);
  await ensureDatabaseExists(databaseUrl);

  const client = new Client({ connectionString: databaseUrl });
  await client.connect();
  try {
    await lockMigrations(client);
    try {
      await client.query(CREATE_MIGRATIONS_TABLE);
      const records = await readHistory(client);
      warnAboutHistory(migrations, records, log);
      const result: MigrateResult = { applied: [], alreadyApplied: [] };
      for (const migration of migrations) {
        const recorded = records.filter((record) => record.migration_name === migration.name);
        if (recorded.some((record) => record.finished_at && !record.rolled_back_at)) {
          result.alreadyApplied.push(migration.name);
          continue;
        }
        refuseAfterFailedAttempt(migration.name, recorded);
        log(`Applying migration ${migration.name}`);
        await applyMigration(client, migration);
        result.applied.push(migration.name);
      }
      return result;
    } finally {
      // Closing the session releases the lock too, so a failed unlock needs no handling.
      await client.query('SELECT pg_advisory_unlock($1)', [PRISMA_MIGRATE_LOCK]).catch(() => undefined);
    }
  } finally {
    await client.end();
  }
}

async function lockMigrations(client: Client): Promise<void> {
  await client.query(`SET lock_timeout = '${LOCK_WAIT}'`);
  try {
    await client.query('SELECT pg_advisory_lock($1)', [PRISMA_MIGRATE_LOCK]);
  } catch (error) {
    if ((error as { code?: string }).code === '55P03') {
      throw new Error(
        `Timed out after ${LOCK_WAIT} waiting for another process to finish migrating this database ` +
          `(advisory lock ${PRISMA_MIGRATE_LOCK}, shared with prisma migrate)`,
      );
    }
    throw error;
  } finally {
    await client.query('RESET lock_timeout');
  }
}

async function readHistory(client: Client): Promise<MigrationRecord[]> {
  const history = await client.query<MigrationRecord>(
    'SELECT migration_name, checksum, finished_at, rolled_back_at, logs FROM _prisma_migrations ORDER BY started_at',
  );
  return history.rows;
}

function warnAboutHistory(migrations: MigrationFile[], records: MigrationRecord[], log: (line: string) => void) {
  const byName = new Map(migrations.map((migration) => [migration.name, migration]));
  for (const record of records) {
    if (!record.finished_at || record.rolled_back_at) continue;
    const migration = byName.get(record.migration_name);
    if (!migration) {
      log(`Warning: migration ${record.migration_name} is recorded as applied but is not in the migrations folder`);
    } else if (!checksumMatches(migration.sql, record.checksum)) {
      log(`Warning: migration ${migration.name} was modified after it was applied (its checksum differs from the one recorded)`);
    }
  }
}

/**
 * A row that is neither finished nor rolled back is a migration Prisma started and saw fail
 * (this runner never leaves one). Like `prisma migrate deploy`, stop until someone resolves it.
 */
function refuseAfterFailedAttempt(name: string, recorded: MigrationRecord[]): void {
  const failed = recorded.find((record) => !record.finished_at && !record.rolled_back_at);
  if (!failed) return;
  throw new MigrationFailedError(
    name,
    `Migration ${name} is recorded as failed in _prisma_migrations${failed.logs ? `: ${failed.logs}` : ''}. ` +
      `Repair the database, then mark it with \`prisma migrate resolve --rolled-back ${name}\` ` +
      `(or delete its row) and migrate again.`,
  );
}

/** The script and its history row commit together, so a failure leaves neither behind. */
async function applyMigration(client: Client, migration: MigrationFile): Promise<void> {
  await client.query('BEGIN');
  try {
    await client.query(migration.sql);
    await client.query(
      `INSERT INTO _prisma_migrations
         (id, checksum, finished_at, migration_name, logs, rolled_back_at, started_at, applied_steps_count)
       VALUES ($1, $2, clock_timestamp(), $3, NULL, NULL, now(), 1)`,
      [randomUUID(), migration.checksum, migration.name],
    );
    await client.query('COMMIT');
  } catch (error) {
    await client.query('ROLLBACK').catch(() => undefined);
    throw new MigrationFailedError(migration.name, `Migration ${migration.name} failed: ${describeSqlError(error, migration.sql)}`);
  }
}

/** The server's message plus where in migration.sql it points, when PostgreSQL says. */
function describeSqlError(error: unknown, sql: string): string {
  if (!(error instanceof DatabaseError)) return error instanceof Error ? error.message : String(error);
  const parts = [error.message];
  if (error.code) parts[0] += ` (SQLSTATE ${error.code})`;
  if (error.position) {
    const offset = Number(error.position) - 1;
    const before = sql.slice(0, offset);
    const line = before.split('\n').length;
    const column = offset - before.lastIndexOf('\n');
    const text = sql.split('\n')[line - 1]?.trim();
    parts.push(`at line ${line}, column ${column}${text ? `: ${text}` : ''}`);
  }
  if (error.detail) parts.push(`Detail: ${error.detail}`);
  if (error.hint) parts.push(`Hint: ${error.hint}`);
  return parts.join('\n');
}
