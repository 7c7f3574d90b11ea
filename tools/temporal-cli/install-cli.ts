/**
 * `npm run temporal:install`: makes sure a Temporal CLI is available, building it into .tools/bin
 * with Go when none is found, and prints where it is (CI runs this before the tests).
 */
import { spawnSync } from 'node:child_process';
import path from 'node:path';
import { locateTemporalCli, missingTemporalCliMessage } from './locate';

const projectRoot = path.resolve(__dirname, '..', '..');

const describeSource = {
  env: 'from TEMPORAL_CLI_PATH',
  path: 'found on PATH',
  project: 'built earlier into the project',
  built: 'built just now',
} as const;

async function main(): Promise<void> {
  const cli = await locateTemporalCli({ projectRoot, log: (line) => console.log(line), allowBuild: true });
  if (cli.path === undefined) {
    console.error(missingTemporalCliMessage([cli.reason]));
    process.exit(1);
  }
  const version = spawnSync(cli.path, ['--version'], { encoding: 'utf8' });
  if (version.status !== 0) {
    console.error(`The Temporal CLI at ${cli.path} does not run: ${version.error?.message ?? version.stderr.trim()}`);
    process.exit(1);
  }
  console.log(`Temporal CLI (${describeSource[cli.source]}): ${cli.path}`);
  console.log(version.stdout.trim());
}

main().catch((err) => {
  console.error((err as Error).message);
  process.exit(1);
});
