import http from 'node:http';

export interface ReceivedEvent {
  /** The task_events row id; absent on the PENDING event a stream may open with. */
  id?: number;
  event: string;
  /** ms since the epoch */
  receivedAt: number;
}

export interface TaskWatch {
  events: ReceivedEvent[];
  /** When the stream's answer arrived (ms since the epoch); rows stored after it reached this client live. */
  openedAt(): number | undefined;
  /** Resolves when the stream ends: with `done` seen, or why not. */
  finished: Promise<{ sawDone: boolean; error?: string }>;
  close(): void;
}

/**
 * One live-progress client of a task (`…/task_progress/{id}/stream/`, with the API key): every
 * event with the time it arrived, until `done` (the stream then ends), the stream ends without
 * it, or `timeoutMs` passes.
 */
export function watchTask(apiUrl: string, apiKey: string, taskId: string, timeoutMs: number): TaskWatch {
  const url = new URL(`/api/v1/system/settings/task_progress/${taskId}/stream/`, apiUrl);
  const events: ReceivedEvent[] = [];
  let settle!: (outcome: { sawDone: boolean; error?: string }) => void;
  const finished = new Promise<{ sawDone: boolean; error?: string }>((resolve) => (settle = resolve));
  let ended = false;
  let openedAt: number | undefined;
  const end = (outcome: { sawDone: boolean; error?: string }) => {
    if (ended) return;
    ended = true;
    clearTimeout(timer);
    request.destroy();
    settle(outcome);
  };
  const request = http.get(
    { hostname: url.hostname, port: url.port, path: url.pathname, agent: false, headers: { authorization: `Bearer ${apiKey}`, accept: 'text/event-stream' } },
    (response) => {
      if (response.statusCode !== 200) {
        response.resume();
        end({ sawDone: false, error: `the stream answered ${response.statusCode}` });
        return;
      }
      openedAt = Date.now();
      response.setEncoding('utf8');
      let buffer = '';
      response.on('data', (chunk: string) => {
        buffer += chunk;
        let cut: number;
        while ((cut = buffer.indexOf('\n\n')) >= 0) {
          const block = buffer.slice(0, cut);
          buffer = buffer.slice(cut + 2);
          const event = parseBlock(block);
          if (!event) continue;
          events.push(event);
          if (event.event === 'done') end({ sawDone: true });
        }
      });
      response.on('end', () => end({ sawDone: false, error: 'the stream ended without a done event' }));
      response.on('error', (err) => end({ sawDone: false, error: err.message }));
    },
  );
  request.on('error', (err) => end({ sawDone: false, error: err.message }));
  const timer = setTimeout(() => end({ sawDone: false, error: `no done event within ${timeoutMs / 1000} s` }), timeoutMs);
  return { events, finished, openedAt: () => openedAt, close: () => end({ sawDone: events.some((e) => e.event === 'done') }) };
}

/** One SSE block (`id:`, `event:`, `data:` lines); comments (`: keep-alive`) answer undefined. */
export function parseBlock(block: string, receivedAt = Date.now()): ReceivedEvent | undefined {
  let id: number | undefined;
  let event = 'message';
  let fields = 0;
  for (const line of block.split('\n')) {
    if (line.startsWith(':') || line === '') continue;
    const colon = line.indexOf(':');
    const name = colon < 0 ? line : line.slice(0, colon);
    const value = colon < 0 ? '' : line.slice(colon + 1).replace(/^ /, '');
    fields++;
    if (name === 'id' && /^\d+$/.test(value)) id = Number(value);
    else if (name === 'event') event = value;
  }
  return fields ? { ...(id !== undefined ? { id } : {}), event, receivedAt } : undefined;
}
