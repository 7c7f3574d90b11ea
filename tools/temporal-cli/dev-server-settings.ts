/** How a dev server is started: what dev-server.ts decides and the ways of running one carry out. */

export type DevServerSettings = {
  dbFilename: string;
  ip: string;
  port: number;
  uiPort: number;
  namespace: string;
  /** `PRAGMA=VALUE` statements for the server's SQLite database, e.g. `journal_mode=WAL`. */
  sqlitePragmas: string[];
  /** Dynamic config values (DEV_SERVER_DYNAMIC_CONFIG and any given). */
  dynamicConfig: Record<string, string | number | boolean>;
  log: (line: string) => void;
};

export type RunningDevServer = { address: string; uiUrl: string; stop(): Promise<void> };

/**
 * The dev server's SQLite database in write-ahead-log mode, synced at checkpoints rather than at
 * every commit: each workflow and activity task is a few small transactions, and a full sync per
 * commit made the disk the dev server's limit. The trade: after a power loss (not a crash of the
 * process) the last moments of history may be gone; the file is never corrupt.
 */
export const DEV_SERVER_SQLITE_PRAGMAS = ['journal_mode=WAL', 'synchronous=NORMAL'];

/**
 * Dynamic config for the single-host dev server. Its history service reads newly scheduled workflow
 * and activity tasks at most `transferProcessorMaxPollRPS` times a second (20 by default), so every
 * step of a run waited up to 50 ms for its turn: about 45 ms a step, 650 ms for a 6-step run. Eager
 * activity execution hands an activity its workflow task scheduled straight back to that worker.
 */
export const DEV_SERVER_DYNAMIC_CONFIG: Record<string, string | number | boolean> = {
  'history.transferProcessorMaxPollRPS': 1000,
  'system.enableActivityEagerExecution': true,
};

/** The command-line flags that apply a dev server's tuning (pragmas and dynamic config). */
export function devServerTuningArgs(s: Pick<DevServerSettings, 'sqlitePragmas' | 'dynamicConfig'>): string[] {
  return [
    ...s.sqlitePragmas.flatMap((pragma) => ['--sqlite-pragma', pragma]),
    ...Object.entries(s.dynamicConfig).flatMap(([key, value]) => ['--dynamic-config-value', `${key}=${JSON.stringify(value)}`]),
  ];
}
