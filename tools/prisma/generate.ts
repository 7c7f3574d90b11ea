/**
 * Generates the Prisma client into generated/prisma without network access, and tells whether the
 * client there still matches prisma/schema.prisma.
 *
 * The Prisma CLI downloads its native schema engine before any command unless
 * PRISMA_SCHEMA_ENGINE_BINARY names an existing file. `generate` never runs that engine (the client
 * is Rust-free and the schema is parsed by WebAssembly), so an empty placeholder file is enough and
 * keeps generation working offline. Migrations do not need the engine either (db/migrate.ts).
 *
 * Only Node built-ins here: the install hook runs this before anything else of the project is usable.
 */
import { spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';

const projectRoot = path.resolve(__dirname, '../..');
export const SCHEMA_FILE = path.join(projectRoot, 'prisma', 'schema.prisma');
const CLIENT_DIR = path.join(projectRoot, 'generated', 'prisma');
/** Written after a generation: the schema and Prisma version the client was made from. */
const STAMP_FILE = path.join(CLIENT_DIR, '.generated-from');

export type ClientState = 'fresh' | 'missing' | 'stale';

/** What the client must have been generated from: the schema's text and the installed Prisma. */
function wantedStamp(): string {
  const schema = readFileSync(SCHEMA_FILE);
  let prismaVersion = 'unknown';
  try {
    prismaVersion = JSON.parse(readFileSync(path.join(projectRoot, 'node_modules', 'prisma', 'package.json'), 'utf8')).version;
  } catch {
    // no Prisma installed: generation will say so
  }
  return `schema-sha256 ${createHash('sha256').update(schema).digest('hex')}\nprisma ${prismaVersion}\n`;
}

export function prismaClientState(): ClientState {
  if (!existsSync(path.join(CLIENT_DIR, 'client.ts'))) return 'missing';
  try {
    return readFileSync(STAMP_FILE, 'utf8') === wantedStamp() ? 'fresh' : 'stale';
  } catch {
    return 'stale';
  }
}

function placeholderSchemaEngine(): string {
  const file = path.join(projectRoot, 'node_modules', '.cache', 'prisma-generate', 'schema-engine-not-used');
  if (!existsSync(file)) {
    mkdirSync(path.dirname(file), { recursive: true });
    writeFileSync(file, '');
  }
  return file;
}

/** Runs `prisma generate`; throws with Prisma's own output when it fails. */
export function generatePrismaClient(options: { quiet?: boolean; extraArgs?: string[] } = {}): void {
  const prismaCli = path.join(projectRoot, 'node_modules', 'prisma', 'build', 'index.js');
  if (!existsSync(prismaCli)) throw new Error('The Prisma CLI is not installed: run `npm install` first.');
  const env = { ...process.env };
  if (!env.PRISMA_SCHEMA_ENGINE_BINARY) env.PRISMA_SCHEMA_ENGINE_BINARY = placeholderSchemaEngine();
  // The update check would only wait for a network that is not there.
  env.CHECKPOINT_DISABLE ??= '1';
  const run = spawnSync(process.execPath, [prismaCli, 'generate', ...(options.extraArgs ?? [])], {
    cwd: projectRoot,
    env,
    encoding: 'utf8',
    stdio: options.quiet ? 'pipe' : 'inherit',
  });
  if (run.error) throw new Error(`prisma generate could not start: ${run.error.message}`);
  if (run.status !== 0) throw new Error(`prisma generate failed (exit ${run.status})${options.quiet ? `:\n${run.stdout}${run.stderr}` : ''}`);
  writeFileSync(STAMP_FILE, wantedStamp());
}

/**
 * Generates the client when it is missing or was made from another schema (or Prisma), saying so in
 * one line; does nothing when it is up to date.
 */
export function ensurePrismaClient(log: (line: string) => void = (line) => console.log(line)): ClientState {
  const state = prismaClientState();
  if (state === 'fresh') return state;
  log(
    state === 'missing'
      ? 'Generating the Prisma client (generated/prisma is missing)…'
      : 'Generating the Prisma client (prisma/schema.prisma changed since it was generated)…',
  );
  generatePrismaClient({ quiet: true });
  return state;
}
