import { spawn, type ChildProcess } from 'node:child_process';
import { createInterface } from 'node:readline';

export interface ServiceProcess {
  name: string;
  child: ChildProcess;
  /** Resolves when the process has exited. */
  exited: Promise<number | null>;
  stop(): Promise<void>;
}

const STOP_GRACE_MS = 15_000;

/**
 * Runs one of the project's TypeScript entry points (worker.ts, api/server.ts) as its own process,
 * exactly as production runs them, with its output prefixed by its name.
 */
export function startServiceProcess(
  name: string,
  entry: string,
  env: NodeJS.ProcessEnv,
  onExit: (code: number | null) => void,
  onLine: (line: string) => void = (line) => console.log(`[${name}] ${line}`),
): ServiceProcess {
  const child = spawn(process.execPath, ['--import', 'tsx', entry], { env, stdio: ['ignore', 'pipe', 'pipe'] });
  for (const stream of [child.stdout!, child.stderr!]) {
    createInterface({ input: stream }).on('line', onLine);
  }
  let stopping = false;
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
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
