import { spawn, type ChildProcess } from 'node:child_process';
import { createInterface } from 'node:readline';
import { stopWithThisProcess } from '../temporal-cli/stop-with-process';

export interface ServiceProcess {
  name: string;
  child: ChildProcess;
  /** Resolves when the process has exited. */
  exited: Promise<number | null>;
  stop(): Promise<void>;
}

const STOP_GRACE_MS = 15_000;

/**
 * Runs one of the project's entry points as its own process: a TypeScript source (worker/main.ts,
 * api/server.ts) through tsx, a compiled one (dist/…/*.js) with plain node, as production runs it;
 * its output prefixed by its name. Each child has its own
 * process group: Ctrl-C reaches only the launcher, which stops the worker before the API and both
 * before the servers they use; if the launcher dies, the children are sent SIGTERM.
 */
export function startServiceProcess(
  name: string,
  entry: string,
  env: NodeJS.ProcessEnv,
  onExit: (code: number | null) => void,
  onLine: (line: string) => void = (line) => console.log(`[${name}] ${line}`),
): ServiceProcess {
  const args = entry.endsWith('.js') ? [entry] : ['--import', 'tsx', entry];
  const child = spawn(process.execPath, args, { env, stdio: ['ignore', 'pipe', 'pipe'], detached: true });
  const untie = stopWithThisProcess(child);
  for (const stream of [child.stdout!, child.stderr!]) {
    createInterface({ input: stream }).on('line', onLine);
  }
  let stopping = false;
  const exited = new Promise<number | null>((resolve) =>
    child.once('exit', (code) => {
      untie();
      resolve(code);
    }),
  );
  void exited.then((code) => {
    if (!stopping) onExit(code);
  });
  return {
    name,
    child,
    exited,
    async stop() {
      if (child.exitCode !== null || child.signalCode !== null) return;
      stopping = true;
      child.kill('SIGTERM');
      const timer = setTimeout(() => child.kill('SIGKILL'), STOP_GRACE_MS);
      await exited;
      clearTimeout(timer);
    },
  };
}
