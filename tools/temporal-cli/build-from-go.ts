/**
 * Builds the Temporal CLI with `go install`, from the Go module proxy, for machines that have Go
 * but no `temporal` binary.
 */
import { spawn } from 'node:child_process';
import { promises as fs } from 'node:fs';
import path from 'node:path';
import { createInterface } from 'node:readline';

// Pinned: later tags carry a `replace` directive in go.mod, which `go install module@version` refuses.
export const TEMPORAL_CLI_VERSION = '1.5.1';
export const TEMPORAL_CLI_MODULE = `github.com/temporalio/cli/cmd/temporal@v${TEMPORAL_CLI_VERSION}`;
// The release builds' flags: without them the binary reports version 0.0.0-DEV and carries debug symbols.
const LDFLAGS = `-ldflags=-s -w -X github.com/temporalio/cli/temporalcli.Version=${TEMPORAL_CLI_VERSION}`;

const STALE_BUILD_MS = 60 * 60 * 1000;
const HEARTBEAT_MS = 30_000;

export async function buildTemporalCli(opts: { go: string; target: string; log: (line: string) => void }): Promise<void> {
  const { go, target, log } = opts;
  const binDir = path.dirname(target);
  await fs.mkdir(binDir, { recursive: true });
  await removeStaleBuildDirs(binDir);

  // go install writes straight into GOBIN. A private GOBIN beside the target, renamed into place at
  // the end (atomic on one filesystem), means an interrupted build never leaves a half-written binary
  // where the locator would pick it up.
  const gobin = await fs.mkdtemp(path.join(binDir, '.build-'));
  try {
    log('Building the Temporal CLI from the Go module proxy (takes a few minutes the first time)…');
    let run = await goInstall(go, gobin, {}, log);
    if (run.code !== 0 && run.checksumDbUnreachable) {
      log('The Go checksum database (sum.golang.org) is unreachable; retrying with GOSUMDB=off.');
      log('WARNING: module checksums are NOT verified for this build.');
      run = await goInstall(go, gobin, { GOSUMDB: 'off' }, log);
    }
    if (run.code !== 0) {
      throw new Error(`go install ${TEMPORAL_CLI_MODULE} exited with ${run.code}:\n${run.errors.slice(-15).join('\n')}`);
    }
    await fs.rename(path.join(gobin, path.basename(target)), target);
  } finally {
    await fs.rm(gobin, { recursive: true, force: true });
  }
  log(`Built the Temporal CLI at ${target}`);
}

/** Leftovers of builds that were killed before their cleanup ran; young ones may belong to a build still running. */
async function removeStaleBuildDirs(binDir: string): Promise<void> {
  for (const entry of await fs.readdir(binDir)) {
    if (!entry.startsWith('.build-')) continue;
    const dir = path.join(binDir, entry);
    const { mtimeMs } = await fs.stat(dir);
    if (Date.now() - mtimeMs > STALE_BUILD_MS) await fs.rm(dir, { recursive: true, force: true });
  }
}

/**
 * Only a failure to reach sum.golang.org justifies GOSUMDB=off; a checksum mismatch also names that
 * host but is exactly what the database exists to stop.
 */
function checksumDbUnreachable(goOutput: string): boolean {
  if (/checksum mismatch|SECURITY ERROR/.test(goOutput)) return false;
  return /(Get|reading) "?https:\/\/sum\.golang\.org/.test(goOutput);
}

type GoInstallResult = { code: number; errors: string[]; checksumDbUnreachable: boolean };

/**
 * Runs one `go install`, condensing its output: a cold build prints hundreds of "go: downloading"
 * lines and then compiles silently for minutes, so the user sees a module count and a heartbeat
 * instead; any other line (an error) is shown as is.
 */
function goInstall(go: string, gobin: string, extraEnv: Record<string, string>, log: (line: string) => void): Promise<GoInstallResult> {
  return new Promise((resolve, reject) => {
    const started = Date.now();
    const child = spawn(go, ['install', LDFLAGS, TEMPORAL_CLI_MODULE], {
      env: { ...process.env, CGO_ENABLED: '0', GOBIN: gobin, ...extraEnv },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    const errors: string[] = [];
    let downloads = 0;
    const heartbeat = setInterval(() => log(`  still building (${Math.round((Date.now() - started) / 1000)} s)…`), HEARTBEAT_MS);

    const onLine = (line: string) => {
      if (line.startsWith('go: downloading ')) {
        downloads += 1;
        if (downloads % 50 === 0) log(`  downloaded ${downloads} modules…`);
        return;
      }
      if (!line.trim()) return;
      errors.push(line);
      log(`  ${line}`);
    };
    createInterface({ input: child.stdout }).on('line', onLine);
    createInterface({ input: child.stderr }).on('line', onLine);

    child.on('error', (err) => {
      clearInterval(heartbeat);
      reject(err);
    });
    child.on('close', (code) => {
      clearInterval(heartbeat);
      if (downloads) log(`  downloaded ${downloads} modules in total`);
      resolve({ code: code ?? 1, errors, checksumDbUnreachable: checksumDbUnreachable(errors.join('\n')) });
    });
  });
}
