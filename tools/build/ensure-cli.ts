/**
 * Run before `npm run worker` and `npm run api` (which run the compiled code): builds dist/ when it
 * is missing or older than a source file, the schema or the lock file, saying so in one line.
 */
import { existsSync, readdirSync, statSync } from 'node:fs';
import path from 'node:path';
import { build } from './build';
import { BUILD_INFO_FILE, projectRoot } from './paths';

/** Folders whose files never reach the build. */
const NOT_SOURCES = new Set(['node_modules', '.git', '.data', '.tools', 'dist', 'generated', 'test', 'coverage', 'docs']);

function newestSource(dir = projectRoot): { file: string; mtimeMs: number } {
  let newest = { file: '', mtimeMs: 0 };
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    if (NOT_SOURCES.has(entry.name)) continue;
    const file = path.join(dir, entry.name);
    const candidate = entry.isDirectory()
      ? newestSource(file)
      : /\.(ts|prisma)$|^package-lock\.json$/.test(entry.name)
        ? { file, mtimeMs: statSync(file).mtimeMs }
        : newest;
    if (candidate.mtimeMs > newest.mtimeMs) newest = candidate;
  }
  return newest;
}

/** Builds dist/ when it is missing or older than a source; says why in one line, nothing when it is current. */
export async function ensureBuild(log: (line: string) => void = (line) => console.log(line)): Promise<void> {
  if (!existsSync(BUILD_INFO_FILE)) {
    log('Building dist/ first (no production build yet)…');
    return build(log);
  }
  const newest = newestSource();
  if (newest.mtimeMs > statSync(BUILD_INFO_FILE).mtimeMs) {
    log(`Building dist/ again (${path.relative(projectRoot, newest.file)} changed since the last build)…`);
    return build(log);
  }
}

if (require.main === module) ensureBuild().catch((err) => {
  console.error(err instanceof Error ? err.message : err);
  process.exit(1);
});
