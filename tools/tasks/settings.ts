import { Client, Connection } from '@temporalio/client';
import { readEnv } from '../../config/env';
import { createPrismaClient, type PrismaClient } from '../../db/client';
import { readRuntimeAddresses } from '../launcher/runtime-file';
import { launcherDataDir } from '../launcher/settings';

/**
 * Where `npm run tasks` finds the service, by the service's own rules (config/env.ts): DATABASE_URL,
 * TEMPORAL_ADDRESS, TEMPORAL_NAMESPACE and TEMPORAL_TASK_QUEUE. With DATABASE_URL unset it uses
 * what `npm start` last ran (runtime.json of DATA_DIR), as `account:create` does, Temporal and its
 * Web UI included unless TEMPORAL_ADDRESS / TEMPORAL_UI_URL say otherwise.
 */
export interface TasksSettings {
  databaseUrl: string;
  temporalAddress: string;
  namespace: string;
  taskQueue: string;
  /** The Temporal Web UI (TEMPORAL_UI_URL, or the dev server `npm start` ran); undefined when not known. */
  webUi?: string;
}

export function readTasksSettings(source: NodeJS.ProcessEnv = process.env): TasksSettings {
  const runtime = source.DATABASE_URL ? undefined : readRuntimeAddresses(launcherDataDir(source));
  const databaseUrl = source.DATABASE_URL ?? runtime?.databaseUrl;
  if (!databaseUrl) {
    throw new Error('DATABASE_URL is not set and `npm start` has not run here: point DATABASE_URL (and TEMPORAL_ADDRESS) at the service you operate.');
  }
  const env = readEnv({ ...source, DATABASE_URL: databaseUrl, TEMPORAL_ADDRESS: source.TEMPORAL_ADDRESS || runtime?.temporalAddress || undefined });
  const webUi = (source.TEMPORAL_UI_URL || (source.TEMPORAL_ADDRESS ? undefined : runtime?.temporalUiUrl))?.replace(/\/+$/, '');
  return {
    databaseUrl,
    temporalAddress: env.TEMPORAL_ADDRESS,
    namespace: env.TEMPORAL_NAMESPACE,
    taskQueue: env.TEMPORAL_TASK_QUEUE,
    ...(webUi ? { webUi } : {}),
  };
}

export function openDatabase(settings: TasksSettings): PrismaClient {
  return createPrismaClient(settings.databaseUrl, { max: 4 });
}

/**
 * A Temporal client on the service's namespace. `lazy`: it connects at its first call, so reading a
 * finished task (answered from its run record) works while Temporal is away.
 */
export async function openTemporal(settings: TasksSettings, { lazy = false } = {}): Promise<Client> {
  const options = { address: settings.temporalAddress };
  let connection: Connection;
  try {
    connection = lazy ? Connection.lazy(options) : await Connection.connect(options);
  } catch (err) {
    throw new Error(`Temporal does not answer at ${settings.temporalAddress} (${err instanceof Error ? err.message : String(err)}): is it running, and is TEMPORAL_ADDRESS right?`);
  }
  return new Client({ connection, namespace: settings.namespace });
}

/** The Web UI page of a task's run: the run itself when its run id is known, else the list searched for the task id. */
export function webUiLink(settings: TasksSettings, taskId: string, runId?: string): string | undefined {
  if (!settings.webUi) return undefined;
  const namespace = encodeURIComponent(settings.namespace);
  if (runId) return `${settings.webUi}/namespaces/${namespace}/workflows/${encodeURIComponent(taskId)}/${encodeURIComponent(runId)}/history`;
  return `${settings.webUi}/namespaces/${namespace}/workflows?query=${encodeURIComponent(`WorkflowId="${taskId}"`)}`;
}
