import type { Context } from '@temporalio/activity';

/**
 * Heartbeats of a long provider call, at most one a second however fast the answer streams (each
 * one crosses into the SDK's native side), and one every two seconds while nothing arrives, so a
 * dead worker is still noticed within the heartbeat timeout. Cancellation reaches the call through
 * them.
 */
export function throttledHeartbeat(context: Context, everyMs = 1_000, idleMs = 2_000) {
  let last = 0;
  const beat = (details: unknown) => {
    const now = Date.now();
    if (now - last < everyMs) return;
    last = now;
    context.heartbeat(details);
  };
  const idle = setInterval(() => beat({ phase: 'waiting' }), idleMs);
  return { beat, stop: () => clearInterval(idle) };
}
