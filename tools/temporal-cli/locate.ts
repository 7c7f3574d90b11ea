/**
 * Finds the Temporal CLI that runs the embedded dev server, in the order a user expects to
 * override it: an explicit TEMPORAL_CLI_PATH, a `temporal` already on PATH, the copy this project
 * built earlier under .tools/bin, and finally a fresh build from the Go module proxy. When all of
 * these fail, the dev server falls back to the Temporal SDK's own download (sdk-download.ts).
 */
import { constants, promises as fs } from 'node:fs';
import path from 'node:path';
import { buildTemporalCli } from './build-from-go';

export type LocatedTemporalCli = { path: string; source: 'env' | 'path' | 'project' | 'built' };
export type MissingTemporalCli = { path: undefined; reason: string };

const exe = (name: string) => (process.platform === 'win32' ? `${name}.exe` : name);

/** Where `npm run temporal:install` puts the CLI; .tools/ is ignored by git. */
export function projectTemporalCliPath(projectRoot: string): string {
  return path.join(projectRoot, '.tools', 'bin', exe('temporal'));
}

export async function isExecutableFile(file: string): Promise<boolean> {
  try {
    if (!(await fs.stat(file)).isFile()) return false;
    await fs.access(file, constants.X_OK);
    return true;
  } catch {
    return false;
  }
}

export async function findOnPath(name: string, searchPath = process.env.PATH ?? ''): Promise<string | undefined> {
  for (const dir of searchPath.split(path.delimiter)) {
    if (!dir) continue;
    const candidate = path.join(dir, exe(name));
    if (await isExecutableFile(candidate)) return candidate;
  }
  return undefined;
}

/** The message a user sees when no way of getting the CLI worked; `tried` says what failed and why. */
export function missingTemporalCliMessage(tried: string[]): string {
  return [
    'Temporal CLI not found: set TEMPORAL_CLI_PATH, put `temporal` on PATH, install Go (to build it),',
    'or run `npm run temporal:install` (builds it into .tools/bin with Go).',
    ...tried.map((line) => `  - ${line}`),
  ].join('\n');
}

export async function locateTemporalCli(opts: {
  projectRoot: string;
  log?: (line: string) => void;
  allowBuild?: boolean;
}): Promise<LocatedTemporalCli | MissingTemporalCli> {
  const fromEnv = process.env.TEMPORAL_CLI_PATH;
  if (fromEnv) {
    // An explicit choice that does not work is an error, never a reason to silently use another binary.
    const resolved = path.resolve(fromEnv);
    if (!(await isExecutableFile(resolved))) {
      throw new Error(`TEMPORAL_CLI_PATH is set to "${fromEnv}", but no executable file is there. Point it at a Temporal CLI binary or unset it.`);
    }
    return { path: resolved, source: 'env' };
  }

  const onPath = await findOnPath('temporal');
  if (onPath) return { path: onPath, source: 'path' };

  const projectCopy = projectTemporalCliPath(opts.projectRoot);
  if (await isExecutableFile(projectCopy)) return { path: projectCopy, source: 'project' };

  const notFound = `TEMPORAL_CLI_PATH is unset, \`temporal\` is not on PATH and ${projectCopy} does not exist`;
  if (opts.allowBuild === false) return { path: undefined, reason: `${notFound} (building it was not allowed)` };

  const go = await findOnPath('go');
  if (!go) return { path: undefined, reason: `${notFound}, and Go is not on PATH to build it` };
  try {
    await buildTemporalCli({ go, target: projectCopy, log: opts.log ?? (() => {}) });
  } catch (err) {
    return { path: undefined, reason: `${notFound}, and building it failed: ${(err as Error).message}` };
  }
  return { path: projectCopy, source: 'built' };
}
