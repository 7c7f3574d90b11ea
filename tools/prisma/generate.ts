/**
 * `npm run db:generate`: generates the Prisma client into generated/prisma without network access.
 *
 * The Prisma CLI downloads its native schema engine before any command unless
 * PRISMA_SCHEMA_ENGINE_BINARY names an existing file. `generate` never runs that engine (the client
 * is Rust-free and the schema is parsed by WebAssembly), so an empty placeholder file is enough and
 * keeps generation working offline and in CI. Migrations do not need the engine either: they are
 * applied by db/migrate.ts.
 */
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';

const repoRoot = path.resolve(__dirname, '..');
const prismaCli = path.join(repoRoot, 'node_modules', 'prisma', 'build', 'index.js');

function placeholderSchemaEngine(): string {
  const file = path.join(repoRoot, 'node_modules', '.cache', 'prisma-generate', 'schema-engine-not-used');
  if (!existsSync(file)) {
    mkdirSync(path.dirname(file), { recursive: true });
    writeFileSync(file, '');
  }
  return file;
}

const env = { ...process.env };
if (!env.PRISMA_SCHEMA_ENGINE_BINARY) env.PRISMA_SCHEMA_ENGINE_BINARY = placeholderSchemaEngine();
// The update check would only wait for a network that is not there.
env.CHECKPOINT_DISABLE ??= '1';

const run = spawnSync(process.execPath, [prismaCli, 'generate', ...process.argv.slice(2)], {
  cwd: repoRoot,
  env,
  stdio: 'inherit',
});
if (run.error) {
  console.error(`prisma generate could not start: ${run.error.message}`);
  process.exit(1);
}
process.exit(run.status ?? 1);
