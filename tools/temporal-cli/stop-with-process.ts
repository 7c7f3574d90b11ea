/**
 * Dev servers run in their own process group, so a signal meant for this process never reaches
 * them. When this process is about to end without having stopped them (it exits, or a signal it has
 * no handler for would kill it), they are sent SIGTERM so they never linger holding their ports.
 * A signal the application handles itself is left alone: it will call stop() in its own order.
 */
import type { ChildProcess } from 'node:child_process';

const SIGNALS: NodeJS.Signals[] = ['SIGINT', 'SIGTERM', 'SIGHUP'];
const running = new Set<ChildProcess>();

function terminateAll(): void {
  for (const child of running) child.kill('SIGTERM');
}

function onSignal(signal: NodeJS.Signals): void {
  if (process.listenerCount(signal) > 1) return;
  terminateAll();
  uninstall();
  // Die of the signal as if nobody had listened, which is what would have happened without us.
  process.kill(process.pid, signal);
}

function install(): void {
  process.on('exit', terminateAll);
  for (const signal of SIGNALS) process.on(signal, onSignal);
}

function uninstall(): void {
  process.removeListener('exit', terminateAll);
  for (const signal of SIGNALS) process.removeListener(signal, onSignal);
}

/** Ties a child to this process's lifetime; the returned function unties it (call it from stop()). */
export function stopWithThisProcess(child: ChildProcess): () => void {
  if (running.size === 0) install();
  running.add(child);
  return () => {
    if (running.delete(child) && running.size === 0) uninstall();
  };
}
