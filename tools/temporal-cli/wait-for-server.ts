/**
 * Waits until a Temporal frontend answers for a namespace. A server that has just been spawned (or a
 * docker container that reports "started") takes a few seconds before its gRPC port serves requests.
 */
import { Connection } from '@temporalio/client';
import { setTimeout as sleep } from 'node:timers/promises';

export async function waitForNamespace(
  address: string,
  namespace: string,
  opts: {
    timeoutMs: number;
    /** Returns why waiting is pointless (the server process died), or undefined to keep waiting. */
    gaveUp?: () => string | undefined;
  },
): Promise<void> {
  const deadline = Date.now() + opts.timeoutMs;
  let lastError = 'no answer yet';
  for (;;) {
    const gaveUp = opts.gaveUp?.();
    if (gaveUp) throw new Error(gaveUp);
    try {
      const connection = await Connection.connect({ address, connectTimeout: 2_000 });
      try {
        await connection.workflowService.describeNamespace({ namespace });
        return;
      } finally {
        await connection.close();
      }
    } catch (err) {
      lastError = (err as Error).message;
    }
    if (Date.now() > deadline) {
      throw new Error(`Temporal at ${address} did not answer for namespace "${namespace}" within ${opts.timeoutMs / 1000} s (last error: ${lastError})`);
    }
    await sleep(250);
  }
}
