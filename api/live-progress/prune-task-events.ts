import { Client } from 'pg';
import type { FastifyBaseLogger } from 'fastify';

/**
 * The live progress stream's rows (`task_events`) are only needed while a run may be watched: once
 * a run has ended, its final answer is in its run record, and a stream of it opened later is served
 * from the record. Rows of ended runs older than the retention are deleted here.
 */

/** The session advisory lock (two-key form) that lets one API process at a time prune. */
export const PRUNE_LOCK = { classId: 7_462, objectId: 1 } as const;

/** Rows deleted per statement: each DELETE is short, so inserts and streams never wait long on it. */
const DEFAULT_BATCH_SIZE = 5_000;

/**
 * One batch: the oldest rows created before the cutoff whose run is not pending — neither the
 * task's own run record nor, for a child run (`<task id>-<function>`), its parent's. Rows of a
 * task without any record (a start Temporal refused) go too.
 */
const DELETE_BATCH = `
  DELETE FROM task_events WHERE id IN (
    SELECT e.id FROM task_events e
    WHERE e.created_at < $1
      AND NOT EXISTS (
        SELECT 1 FROM ai_task_logs l
        WHERE l.status = 'pending'
          AND l.task_id IN (e.task_id, substring(e.task_id FROM '^(.+)-[a-z_]+$'))
      )
    ORDER BY e.id
    LIMIT $2
  )`;

export interface PruneOptions {
  /** Rows younger than this (milliseconds) stay. */
  retentionMs: number;
  batchSize?: number;
  now?: Date;
}

/**
 * One pass: deletes in bounded batches until nothing is left to delete. Answers undefined, having
 * deleted nothing, when another process is pruning (its pass holds the advisory lock).
 */
export async function pruneTaskEvents(databaseUrl: string, options: PruneOptions): Promise<{ deleted: number; batches: number } | undefined> {
  const cutoff = new Date((options.now ?? new Date()).getTime() - options.retentionMs);
  const batchSize = options.batchSize ?? DEFAULT_BATCH_SIZE;
  const client = new Client({ connectionString: databaseUrl });
  await client.connect();
  try {
    const { rows } = await client.query<{ locked: boolean }>('SELECT pg_try_advisory_lock($1::int, $2::int) AS locked', [PRUNE_LOCK.classId, PRUNE_LOCK.objectId]);
    if (!rows[0].locked) return undefined;
    let deleted = 0;
    let batches = 0;
    for (;;) {
      const result = await client.query(DELETE_BATCH, [cutoff, batchSize]);
      batches++;
      deleted += result.rowCount ?? 0;
      if ((result.rowCount ?? 0) < batchSize) return { deleted, batches };
    }
  } finally {
    // Ending the session releases the lock.
    await client.end().catch(() => undefined);
  }
}

/** How often the API process prunes. */
const PRUNE_EVERY_MS = 60 * 60 * 1000;

/**
 * Prunes now and then every hour, in the background of the API process; a failed pass is logged
 * and the next one tries again. Answers the function that stops it (waiting for a pass under way).
 */
export function startTaskEventsPruning(options: { databaseUrl: string; retentionMs: number; log: FastifyBaseLogger; everyMs?: number }): () => Promise<void> {
  let running: Promise<void> | undefined;
  let stopped = false;
  const pass = () => {
    if (stopped || running) return;
    running = pruneTaskEvents(options.databaseUrl, { retentionMs: options.retentionMs })
      .then((result) => {
        if (result?.deleted) options.log.info({ deleted: result.deleted }, 'live progress: pruned task events of ended runs');
      })
      .catch((err) => options.log.warn({ err }, 'live progress: pruning task events failed; the next pass tries again'))
      .finally(() => (running = undefined));
  };
  const first = setTimeout(pass, 0);
  const timer = setInterval(pass, options.everyMs ?? PRUNE_EVERY_MS);
  first.unref();
  timer.unref();
  return async () => {
    stopped = true;
    clearTimeout(first);
    clearInterval(timer);
    await running;
  };
}
