import type { Client } from '@temporalio/client';
import type { PrismaClient } from '../db/client';
import type { SlotPolicy } from '../activities/ai-call-slots';
import { endClosedRuns } from '../activities/closed-runs';

/**
 * Runs ended outside the service (terminated from the Web UI or the CLI, timed out) have their
 * record completed within seconds even when nobody polls them: each worker process checks the
 * records still running against Temporal, a bounded number a pass. Ending one twice is harmless.
 */
export function startReconciler(
  deps: { prisma: PrismaClient; temporal: Client; slots?: SlotPolicy },
  options: { everyMs?: number; quietForMs?: number; log?: (line: string) => void } = {},
): { stop(): Promise<void> } {
  const everyMs = options.everyMs ?? 10_000;
  let running: Promise<void> = Promise.resolve();
  let busy = false;
  const timer = setInterval(() => {
    // A pass still under way (Temporal slow to answer) is not queued behind: the next tick looks again.
    if (busy) return;
    busy = true;
    running = endClosedRuns(deps, 50, options.quietForMs)
      .then((ended) => {
        if (ended) options.log?.(`Ended ${ended} run(s) that closed outside the service`);
      })
      .catch(() => undefined)
      .finally(() => {
        busy = false;
      });
  }, everyMs);
  timer.unref();
  return {
    async stop() {
      clearInterval(timer);
      await running;
    },
  };
}
