import { randomBytes } from 'node:crypto';
import net from 'node:net';
import { StreamTokens, streamPath } from '../api/live-progress/stream-token';
import { EventStreamReader } from './support/event-stream-reader';
import { residentMiB, startApiProcess, type ApiProcess } from './support/api-process';
import { startTestStack, type TestAccount, type TestStack } from './support/stack';

const SECRET = randomBytes(32).toString('base64');

let stack: TestStack;

beforeAll(async () => {
  stack = await startTestStack({ streamKeepAliveMs: 300, streamTokenSecret: SECRET });
});

afterAll(async () => {
  await stack?.stop();
});

/** A run accepted but not started yet: its stream stays open, waiting for it. */
async function waitingRun(owner: TestAccount, name: string): Promise<string> {
  const taskId = `auto_cluster-a${owner.accountId}-${name}`;
  await stack.prisma.aITaskLog.create({ data: { taskId, accountId: owner.accountId, functionName: 'auto_cluster', status: 'pending' } });
  return taskId;
}

/**
 * A client that sends its request and then reads nothing: the socket stays open, its receive
 * window fills, and every further byte the server writes waits on the server's side.
 */
class StalledClient {
  private constructor(private readonly socket: net.Socket) {}

  static open(baseUrl: string, path: string, apiKey: string): Promise<StalledClient> {
    const { hostname, port } = new URL(baseUrl);
    return new Promise((resolve, reject) => {
      const socket = net.connect(Number(port), hostname, () => {
        socket.write(`GET ${path} HTTP/1.1\r\nHost: ${hostname}\r\nAuthorization: Bearer ${apiKey}\r\nAccept: text/event-stream\r\n\r\n`);
        socket.pause();
        resolve(new StalledClient(socket));
      });
      socket.once('error', reject);
    });
  }

  /** Starts reading; resolves with the event ids once the `done` event arrived. */
  readToDone(timeoutMs = 60_000): Promise<number[]> {
    const ids: number[] = [];
    let partial = '';
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`the stalled client never got done (read ${ids.length} events)`)), timeoutMs);
      this.socket.setEncoding('utf8');
      this.socket.on('data', (chunk: string) => {
        const lines = (partial + chunk).split('\n');
        partial = lines.pop()!;
        for (const line of lines) {
          const id = /^id: (\d+)\r?$/.exec(line);
          if (id) ids.push(Number(id[1]));
          if (line.startsWith('event: done')) {
            clearTimeout(timer);
            resolve(ids);
          }
        }
      });
      this.socket.resume();
    });
  }

  close(): void {
    this.socket.destroy();
  }
}

describe('a client that does not read', () => {
  const ROWS = 1500;
  const ROW_KIB = 64;
  let api: ApiProcess;
  let owner: TestAccount;
  let taskId: string;

  beforeAll(async () => {
    api = await startApiProcess(stack, {});
    owner = await stack.createAccount('Stalled');
    taskId = `auto_cluster-a${owner.accountId}-backlog`;
    await stack.prisma.aITaskLog.create({
      data: { taskId, accountId: owner.accountId, functionName: 'auto_cluster', status: 'success', phase: 'DONE', finishedAt: new Date() },
    });
    // A long backlog of large rows (64 KiB of text each, ~94 MiB in all), then the end.
    await stack.prisma.$executeRaw`
      INSERT INTO task_events (task_id, event, data)
      SELECT ${taskId}, 'text', jsonb_build_object('item', '1', 'attempt', 1, 'text', repeat(md5(i::text), ${(ROW_KIB * 1024) / 32}::int))
      FROM generate_series(1, ${ROWS}::int) AS i`;
    await stack.prisma.taskEvent.create({ data: { taskId, event: 'done', data: { state: 'SUCCESS' } } });
  });

  afterAll(async () => {
    await api?.stop();
  });

  it("cannot grow the API's memory: rows wait in the table, and the stream resumes where it stopped once the client reads", async () => {
    const stored = (await stack.prisma.taskEvent.findMany({ where: { taskId }, orderBy: { id: 'asc' }, select: { id: true } })).map((r) => r.id);
    // Warm up the paths a stream takes (its last rows only), so what is measured is the clients' share.
    const tail = await EventStreamReader.open(`${api.baseUrl}${streamPath(taskId)}?lastEventId=${stored.at(-6)}`, { authorization: `Bearer ${owner.apiKey}` });
    expect((await tail.toEnd()).map((e) => Number(e.id))).toEqual(stored.slice(-5));
    await new Promise((r) => setTimeout(r, 1000));
    const before = await residentMiB(api.pid);

    const clients = await Promise.all([1, 2, 3].map(() => StalledClient.open(api.baseUrl, streamPath(taskId), owner.apiKey)));
    let peak = before;
    for (let i = 0; i < 40; i++) {
      await new Promise((r) => setTimeout(r, 250));
      peak = Math.max(peak, await residentMiB(api.pid));
    }
    const grown = peak - before;
    process.stderr.write(`[stream-limits] API resident memory ${before.toFixed(0)} MiB, with 3 non-reading clients of a ${((ROWS * ROW_KIB) / 1024).toFixed(0)} MiB backlog: peak ${peak.toFixed(0)} MiB (+${grown.toFixed(0)} MiB)\n`);
    // Before streams waited for the socket, the same three clients added ~790 MiB.
    expect(grown).toBeLessThan(64);

    const ids = await clients[0].readToDone();
    expect(ids).toEqual(stored);
    for (const client of clients) client.close();
  });
});

describe('open streams per account', () => {
  it('are capped at 20 per API process: the 21st answers 429 in the project shape, other accounts are not affected', async () => {
    const owner = await stack.createAccount('Many tabs');
    const taskId = await waitingRun(owner, 'watched');
    const open = (who: TestAccount, id = taskId) =>
      EventStreamReader.open(`${stack.baseUrl}${streamPath(id)}`, { authorization: `Bearer ${who.apiKey}` });
    const readers = [];
    for (let i = 0; i < 20; i++) readers.push(await open(owner));
    try {
      expect(readers.map((r) => r.status)).toEqual(Array(20).fill(200));
      const refused = await open(owner);
      expect(refused.status).toBe(429);
      expect(refused.items[0].data).toEqual({ success: false, error: expect.stringMatching(/20 live progress streams/), request_id: expect.any(String) });

      const other = await stack.createAccount('Someone else');
      const theirs = await open(other, await waitingRun(other, 'theirs'));
      expect(theirs.status).toBe(200);
      theirs.close();

      readers.pop()!.close();
      let again = await open(owner);
      for (let i = 0; i < 40 && again.status === 429; i++) {
        await new Promise((r) => setTimeout(r, 50));
        again = await open(owner);
      }
      expect(again.status).toBe(200);
      readers.push(again);
    } finally {
      for (const reader of readers) reader.close();
    }
  });
});

describe('a stream opened with a token', () => {
  it('ends when its token expires, while a stream opened with the API key goes on', async () => {
    const owner = await stack.createAccount('Token holder');
    const taskId = await waitingRun(owner, 'expiring');
    // Issued so that it expires in about two seconds (the ten-minute lifetime counted from the past).
    const token = new StreamTokens(SECRET).issue(taskId, owner.accountId, Date.now() - 10 * 60_000 + 2_500);
    const byToken = await EventStreamReader.open(`${stack.baseUrl}${streamPath(taskId)}?token=${token}`);
    const byKey = await EventStreamReader.open(`${stack.baseUrl}${streamPath(taskId)}`, { authorization: `Bearer ${owner.apiKey}` });
    try {
      expect([byToken.status, byKey.status]).toEqual([200, 200]);
      const openedAt = Date.now();
      await byToken.toEnd(10_000);
      expect(Date.now() - openedAt).toBeLessThan(6_000);
      expect(byKey.ended).toBe(false);
      // Reconnecting with the same URL is refused: the client takes a fresh stream_url from a poll.
      expect((await EventStreamReader.open(`${stack.baseUrl}${streamPath(taskId)}?token=${token}`)).status).toBe(401);
    } finally {
      byToken.close();
      byKey.close();
    }
  });
});
