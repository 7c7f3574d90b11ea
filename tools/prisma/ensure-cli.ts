/**
 * Run before every command that needs the Prisma client (npm's `pre…` scripts, and the install
 * hook): generates it when it is missing or older than prisma/schema.prisma, in one line.
 * `--install`: the install hook, which says nothing when the schema is not there yet (a Docker layer
 * that installs dependencies before copying the source).
 */
import { existsSync } from 'node:fs';
import { ensurePrismaClient, SCHEMA_FILE } from './generate';

if (process.argv.includes('--install') && !existsSync(SCHEMA_FILE)) process.exit(0);
try {
  ensurePrismaClient();
} catch (err) {
  console.error((err as Error).message);
  process.exit(1);
}
