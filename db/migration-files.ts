/**
 * The migrations folder as Prisma lays it out: one directory per migration, named so that sorting
 * the names gives the order to apply them, each holding a migration.sql.
 */
import { createHash } from 'node:crypto';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { PROJECT_ROOT } from '../config/project-root';

export const defaultMigrationsDir = path.join(PROJECT_ROOT, 'prisma', 'migrations');

export type MigrationFile = {
  name: string;
  sql: string;
  checksum: string;
};

export function readMigrationFiles(migrationsDir: string = defaultMigrationsDir): MigrationFile[] {
  if (!existsSync(migrationsDir)) throw new Error(`Migrations folder not found: ${migrationsDir}`);
  return readdirSync(migrationsDir, { withFileTypes: true })
    .filter((entry) => entry.isDirectory())
    .map((entry) => entry.name)
    .sort()
    .map((name) => {
      const file = path.join(migrationsDir, name, 'migration.sql');
      if (!existsSync(file)) throw new Error(`Migration ${name} has no migration.sql (${file})`);
      const bytes = readFileSync(file);
      return { name, sql: bytes.toString('utf8'), checksum: migrationChecksum(bytes) };
    });
}

/** Prisma's checksum of a migration: SHA-256 of the migration.sql bytes, as lowercase hex. */
export function migrationChecksum(script: Buffer | string): string {
  return createHash('sha256').update(script).digest('hex');
}

/**
 * Whether a recorded checksum belongs to this script, with the leniency `prisma migrate` has: a
 * checkout that converted line endings still matches, and so do checksums written by old Prisma
 * versions, which dropped the leading zero of each hex byte.
 */
export function checksumMatches(script: string, recorded: string): boolean {
  const variants = [script, script.replace(/\r\n/g, '\n'), script.replace(/\r?\n/g, '\r\n')];
  return variants.some((variant) => {
    const digest = createHash('sha256').update(variant).digest();
    const padded = digest.toString('hex');
    const unpadded = [...digest].map((byte) => byte.toString(16)).join('');
    return recorded === padded || recorded === unpadded;
  });
}
