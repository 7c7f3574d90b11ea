/** `npm run db:migrate`: applies pending migrations to the database in DATABASE_URL. */
import { redactPassword } from './database-admin';
import { applyMigrations } from './migrate';

async function main(): Promise<void> {
  const databaseUrl = process.env.DATABASE_URL;
  if (!databaseUrl) {
    throw new Error('DATABASE_URL is not set. Example: DATABASE_URL=postgresql://postgres@127.0.0.1:5432/ai_tasks npm run db:migrate');
  }
  console.log(`Migrating ${redactPassword(databaseUrl)}`);
  const { applied } = await applyMigrations(databaseUrl, { log: (line) => console.log(line) });
  console.log(applied.length ? `Applied ${applied.length} migration(s).` : 'No pending migrations');
}

main().catch((error: unknown) => {
  console.error(error instanceof Error ? error.message : String(error));
  process.exit(1);
});
