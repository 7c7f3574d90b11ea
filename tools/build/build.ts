/**
 * `npm run build`: the production build in dist/. TypeScript compiled with tsc (tsconfig.build.json:
 * the worker, the API, migrations, account:create and the search-attribute registration, with what
 * they import), and the worker's workflow bundle written once, so the compiled worker neither runs
 * webpack nor keeps its memory at start. Development keeps running the sources through tsx.
 */
import { spawnSync } from 'node:child_process';
import { mkdirSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { bundleWorkflowCode } from '@temporalio/worker';
import { ensurePrismaClient } from '../prisma/generate';
import { workflowInterceptorModules } from '../../tracing';
import { BUILD_INFO_FILE, DIST_DIR, projectRoot, WORKFLOW_BUNDLE_FILE } from './paths';

export async function build(log: (line: string) => void = (line) => console.log(line)): Promise<void> {
  const started = Date.now();
  ensurePrismaClient(log);
  rmSync(DIST_DIR, { recursive: true, force: true });
  log('Compiling TypeScript into dist/…');
  const tsc = spawnSync(process.execPath, [require.resolve('typescript/bin/tsc'), '-p', 'tsconfig.build.json'], { cwd: projectRoot, stdio: 'inherit' });
  if (tsc.status !== 0) throw new Error(`tsc failed (exit ${tsc.status ?? tsc.signal})`);
  log('Bundling the workflows…');
  const bundle = await bundleWorkflowCode({
    workflowsPath: path.join(projectRoot, 'workflows'),
    // The tracing interceptors: a run started with a trace context is traced, any other passes through.
    workflowInterceptorModules: workflowInterceptorModules(),
    // A stack trace from a workflow still names the source file and line; the map leaves out the
    // sources' text, which the worker otherwise keeps parsed in memory (about 40 MB).
    webpackConfigHook: (config) => ({ ...config, devtool: 'inline-nosources-cheap-module-source-map' }),
    logger: quietBundlerLogger(log),
  });
  mkdirSync(DIST_DIR, { recursive: true });
  writeFileSync(WORKFLOW_BUNDLE_FILE, bundle.code);
  writeFileSync(BUILD_INFO_FILE, JSON.stringify({ builtAt: new Date().toISOString() }, null, 2));
  log(`Built dist/ in ${((Date.now() - started) / 1000).toFixed(1)} s.`);
}

/** webpack's progress lines are noise; its warnings and errors are not. */
function quietBundlerLogger(log: (line: string) => void) {
  const none = () => undefined;
  return { trace: none, debug: none, info: none, log: none, warn: (m: string) => log(m), error: (m: string) => log(m) } as never;
}

if (require.main === module) {
  build().catch((err) => {
    console.error(err instanceof Error ? err.message : err);
    process.exit(1);
  });
}
