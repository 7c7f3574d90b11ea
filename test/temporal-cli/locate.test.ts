import { promises as fs } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { locateTemporalCli } from '../../tools/temporal-cli/locate';

const savedEnv = { ...process.env };
let scratch: string;

beforeEach(async () => {
  scratch = await fs.mkdtemp(path.join(os.tmpdir(), 'locate-cli-'));
  delete process.env.TEMPORAL_CLI_PATH;
  process.env.PATH = path.join(scratch, 'empty-path');
});

afterEach(async () => {
  process.env = { ...savedEnv };
  await fs.rm(scratch, { recursive: true, force: true });
});

async function writeExecutable(file: string, script = '#!/bin/sh\necho fake temporal\n'): Promise<string> {
  await fs.mkdir(path.dirname(file), { recursive: true });
  await fs.writeFile(file, script, { mode: 0o755 });
  return file;
}

/** A stand-in for `go` that "builds" by writing a temporal script into GOBIN, or fails as told. */
const fakeGo = `#!/bin/sh
PATH=/usr/bin:/bin
echo "go: downloading github.com/temporalio/cli v1.5.1" >&2
if [ -n "$FAKE_GO_SUMDB_DOWN" ] && [ "$GOSUMDB" != "off" ]; then
  echo 'go: github.com/temporalio/cli@v1.5.1: verifying module: Get "https://sum.golang.org/lookup/github.com/temporalio/cli@v1.5.1": dial tcp: lookup sum.golang.org: no such host' >&2
  exit 1
fi
if [ -n "$FAKE_GO_FAIL" ]; then echo "go: module lookup disabled" >&2; exit 1; fi
printf '#!/bin/sh\\necho built temporal\\n' > "$GOBIN/temporal"
chmod +x "$GOBIN/temporal"
`;

describe('locating the Temporal CLI', () => {
  test('TEMPORAL_CLI_PATH wins over a temporal on PATH', async () => {
    const chosen = await writeExecutable(path.join(scratch, 'chosen', 'temporal'));
    const onPath = await writeExecutable(path.join(scratch, 'bin', 'temporal'));
    process.env.TEMPORAL_CLI_PATH = chosen;
    process.env.PATH = path.dirname(onPath);
    await expect(locateTemporalCli({ projectRoot: scratch, allowBuild: false })).resolves.toEqual({ path: chosen, source: 'env' });
  });

  test('TEMPORAL_CLI_PATH naming a missing file is an error that names the variable', async () => {
    process.env.TEMPORAL_CLI_PATH = path.join(scratch, 'nowhere', 'temporal');
    await expect(locateTemporalCli({ projectRoot: scratch, allowBuild: false })).rejects.toThrow(/TEMPORAL_CLI_PATH is set to ".*nowhere\/temporal"/);
  });

  test('TEMPORAL_CLI_PATH naming a file that is not executable is an error', async () => {
    const plain = path.join(scratch, 'temporal');
    await fs.writeFile(plain, 'not a program', { mode: 0o644 });
    process.env.TEMPORAL_CLI_PATH = plain;
    await expect(locateTemporalCli({ projectRoot: scratch, allowBuild: false })).rejects.toThrow(/TEMPORAL_CLI_PATH/);
  });

  test('a temporal on PATH is used before the project copy', async () => {
    const onPath = await writeExecutable(path.join(scratch, 'bin', 'temporal'));
    await writeExecutable(path.join(scratch, '.tools', 'bin', 'temporal'));
    process.env.PATH = [path.join(scratch, 'empty-path'), path.dirname(onPath)].join(path.delimiter);
    await expect(locateTemporalCli({ projectRoot: scratch, allowBuild: false })).resolves.toEqual({ path: onPath, source: 'path' });
  });

  test('the copy under .tools/bin is found when nothing else is', async () => {
    const projectCopy = await writeExecutable(path.join(scratch, '.tools', 'bin', 'temporal'));
    await expect(locateTemporalCli({ projectRoot: scratch, allowBuild: false })).resolves.toEqual({ path: projectCopy, source: 'project' });
  });

  test('without a CLI or Go the reason says what is missing', async () => {
    const result = await locateTemporalCli({ projectRoot: scratch });
    expect(result.path).toBeUndefined();
    expect(result).toMatchObject({ reason: expect.stringMatching(/Go is not on PATH/) });
  });

  test('with Go on PATH it builds into .tools/bin and leaves no temporary build directory', async () => {
    const goDir = path.join(scratch, 'go-bin');
    await writeExecutable(path.join(goDir, 'go'), fakeGo);
    process.env.PATH = goDir;
    const lines: string[] = [];
    const result = await locateTemporalCli({ projectRoot: scratch, log: (l) => lines.push(l) });

    const target = path.join(scratch, '.tools', 'bin', 'temporal');
    expect(result).toEqual({ path: target, source: 'built' });
    expect(await fs.readFile(target, 'utf8')).toContain('built temporal');
    expect(await fs.readdir(path.dirname(target))).toEqual(['temporal']);
    expect(lines[0]).toBe('Building the Temporal CLI from the Go module proxy (takes a few minutes the first time)…');
  });

  test('an unreachable checksum database is retried with GOSUMDB=off and says checksums are unverified', async () => {
    const goDir = path.join(scratch, 'go-bin');
    await writeExecutable(path.join(goDir, 'go'), fakeGo);
    process.env.PATH = goDir;
    process.env.FAKE_GO_SUMDB_DOWN = '1';
    const lines: string[] = [];
    const result = await locateTemporalCli({ projectRoot: scratch, log: (l) => lines.push(l) });

    expect(result).toMatchObject({ source: 'built' });
    expect(lines.join('\n')).toMatch(/GOSUMDB=off[\s\S]*checksums are NOT verified/);
  });

  test('a failed build reports go output and leaves nothing half-written', async () => {
    const goDir = path.join(scratch, 'go-bin');
    await writeExecutable(path.join(goDir, 'go'), fakeGo);
    process.env.PATH = goDir;
    process.env.FAKE_GO_FAIL = '1';
    const result = await locateTemporalCli({ projectRoot: scratch });

    expect(result).toMatchObject({ path: undefined, reason: expect.stringMatching(/building it failed[\s\S]*module lookup disabled/) });
    expect(await fs.readdir(path.join(scratch, '.tools', 'bin'))).toEqual([]);
  });
});
