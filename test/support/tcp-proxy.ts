/**
 * A TCP proxy a test puts between a client and a server (the worker's database connections and
 * PostgreSQL) to make the server unavailable on cue: every open connection is dropped and the port
 * refuses new ones until the outage ends. The cue can be a piece of text the client sends (a SQL
 * statement), which places the outage inside a transaction exactly.
 */
import net from 'node:net';

export interface TcpProxy {
  port: number;
  /** Drops every open connection and refuses new ones for `ms`. */
  interrupt(ms: number): void;
  /**
   * Interrupts for `ms` the first time a client sends bytes holding `text` (those bytes never reach
   * the server); resolves with the time it happened.
   */
  interruptOn(text: string, ms: number): Promise<number>;
  isDown(): boolean;
  /** Connections accepted since the start (a retry after an outage opens new ones). */
  connectionsAccepted(): number;
  openConnections(): number;
  close(): Promise<void>;
}

interface Trigger {
  text: Buffer;
  ms: number;
  fire: (at: number) => void;
}

export async function startTcpProxy(target: { host: string; port: number }): Promise<TcpProxy> {
  const pairs = new Set<{ client: net.Socket; server: net.Socket }>();
  let accepted = 0;
  let down = false;
  let closed = false;
  let restoreTimer: NodeJS.Timeout | undefined;
  let trigger: Trigger | undefined;

  const listener = net.createServer((client) => {
    accepted++;
    const server = net.connect(target.port, target.host);
    const pair = { client, server };
    pairs.add(pair);
    const end = () => {
      pairs.delete(pair);
      client.destroy();
      server.destroy();
    };
    client.on('error', end).on('close', end);
    server.on('error', end).on('close', end);
    server.on('data', (chunk) => client.write(chunk));
    // The tail of the previous chunk, so a cue split across two chunks is still seen.
    let tail = Buffer.alloc(0);
    client.on('data', (chunk: Buffer) => {
      if (trigger) {
        const seen = Buffer.concat([tail, chunk]);
        if (seen.includes(trigger.text)) {
          const { ms, fire } = trigger;
          trigger = undefined;
          interrupt(ms);
          fire(Date.now());
          return;
        }
        tail = seen.subarray(Math.max(0, seen.length - trigger.text.length));
      }
      server.write(chunk);
    });
  });

  const listen = () =>
    new Promise<void>((resolve, reject) => {
      listener.once('error', reject);
      listener.listen(port, '127.0.0.1', () => {
        listener.off('error', reject);
        resolve();
      });
    });

  let port = 0;
  await listen();
  port = (listener.address() as net.AddressInfo).port;

  function interrupt(ms: number): void {
    down = true;
    clearTimeout(restoreTimer);
    // Stop listening first, so a reconnect in the same tick is refused rather than accepted.
    listener.close();
    for (const { client, server } of pairs) {
      client.destroy();
      server.destroy();
    }
    pairs.clear();
    restoreTimer = setTimeout(() => {
      if (closed) return;
      listen().then(
        () => (down = false),
        (err: Error) => process.stderr.write(`[tcp-proxy] could not listen again on ${port}: ${err.message}\n`),
      );
    }, ms);
  }

  return {
    port,
    interrupt,
    interruptOn(text, ms) {
      return new Promise<number>((fire) => (trigger = { text: Buffer.from(text), ms, fire }));
    },
    isDown: () => down,
    connectionsAccepted: () => accepted,
    openConnections: () => pairs.size,
    async close() {
      closed = true;
      clearTimeout(restoreTimer);
      for (const { client, server } of pairs) {
        client.destroy();
        server.destroy();
      }
      pairs.clear();
      if (listener.listening) await new Promise<void>((resolve) => listener.close(() => resolve()));
    },
  };
}
