import path from 'node:path';
import { z } from 'zod';
import { PROJECT_ROOT } from '../../config/project-root';

const port = (fallback: number) => z.coerce.number().int().min(1).max(65535).default(fallback);

/**
 * What `npm start` can be told through the environment: where it keeps its data and which ports the
 * processes it starts listen on (a second copy, a smoke test or a busy machine needs other ones).
 * DATABASE_URL and TEMPORAL_ADDRESS replace the embedded PostgreSQL and Temporal altogether.
 */
const launcherEnv = z.object({
  /** PostgreSQL's cluster, Temporal's database file, the demo account's key and runtime.json. */
  DATA_DIR: z.string().min(1).default('.data'),
  PORT: port(3000),
  HOST: z.string().min(1).default('127.0.0.1'),
  TEMPORAL_PORT: port(7233),
  TEMPORAL_UI_PORT: port(8233),
  EMBEDDED_POSTGRES_PORT: port(54329),
  DEMO_PROVIDER_PORT: port(8089),
});

export type LauncherSettings = z.infer<typeof launcherEnv> & { dataDir: string };

export function readLauncherSettings(source: NodeJS.ProcessEnv = process.env): LauncherSettings {
  const parsed = launcherEnv.safeParse(source);
  if (!parsed.success) {
    throw new Error(`Invalid environment for npm start: ${parsed.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; ')}`);
  }
  return { ...parsed.data, dataDir: path.resolve(PROJECT_ROOT, parsed.data.DATA_DIR) };
}

/** The data directory `npm start` uses, for the project's other commands (account:create). */
export function launcherDataDir(source: NodeJS.ProcessEnv = process.env): string {
  return path.resolve(PROJECT_ROOT, source.DATA_DIR || '.data');
}
