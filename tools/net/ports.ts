/**
 * Checks that a port is free before a server is spawned on it. Without this, a second copy (or
 * anything else) already on the port would either make the new server exit with an obscure error
 * or, worse, answer the readiness check in its place.
 */
import { createServer } from 'node:net';

export function assertPortFree(port: number, host: string, purpose: string): Promise<void> {
  return new Promise((resolve, reject) => {
    const probe = createServer();
    probe.once('error', (err: NodeJS.ErrnoException) => {
      if (err.code === 'EADDRINUSE') {
        reject(new Error(`Port ${port} (${purpose}) is already in use on ${host}: stop the program listening there or choose another port.`));
      } else {
        reject(new Error(`Cannot use port ${port} (${purpose}) on ${host}: ${err.message}`));
      }
    });
    probe.listen({ port, host, exclusive: true }, () => probe.close(() => resolve()));
  });
}

/** A TCP port nothing listens on right now (the OS picks it). */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.unref();
    server.on('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      server.close(() => (address && typeof address === 'object' ? resolve(address.port) : reject(new Error('no port was assigned'))));
    });
  });
}
