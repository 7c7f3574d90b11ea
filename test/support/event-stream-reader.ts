/** One thing read from an event stream: an event (`id` when it has one) or a `: comment`. */
export interface StreamItem {
  id?: string;
  event?: string;
  data?: any;
  comment?: string;
  at: number;
}

/**
 * A real HTTP client of the stream, as a browser reads it: fetch, the body read as it arrives,
 * split into Server-Sent Events.
 */
export class EventStreamReader {
  readonly items: StreamItem[] = [];
  ended = false;
  private wakeUp?: () => void;

  private constructor(
    readonly status: number,
    readonly headers: Headers,
    private readonly controller: AbortController,
  ) {}

  static async open(url: string, headers: Record<string, string> = {}): Promise<EventStreamReader> {
    const controller = new AbortController();
    const response = await fetch(url, { headers, signal: controller.signal });
    const reader = new EventStreamReader(response.status, response.headers, controller);
    if (response.status !== 200 || !response.body) {
      reader.items.push({ data: await response.text().then((t) => (t ? JSON.parse(t) : null)), at: Date.now() });
      reader.ended = true;
      return reader;
    }
    void reader.consume(response.body);
    return reader;
  }

  get events(): StreamItem[] {
    return this.items.filter((i) => i.event !== undefined);
  }

  /** Waits until `predicate` holds over what was read (or the stream ended). */
  async until(predicate: (r: EventStreamReader) => boolean, timeoutMs = 30_000): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    while (!predicate(this)) {
      if (this.ended) throw new Error(`the stream ended first; read: ${JSON.stringify(this.items.map((i) => i.event ?? i.comment))}`);
      if (Date.now() > deadline) throw new Error('the stream did not deliver in time');
      await new Promise<void>((resolve) => {
        this.wakeUp = resolve;
        setTimeout(resolve, 200);
      });
    }
  }

  async toEnd(timeoutMs = 60_000): Promise<StreamItem[]> {
    const deadline = Date.now() + timeoutMs;
    while (!this.ended) {
      if (Date.now() > deadline) throw new Error(`the stream did not end; last: ${JSON.stringify(this.events.at(-1))}`);
      await new Promise((r) => setTimeout(r, 50));
    }
    return this.events;
  }

  close(): void {
    this.controller.abort();
  }

  private async consume(body: ReadableStream<Uint8Array>): Promise<void> {
    const decoder = new TextDecoder();
    let buffer = '';
    try {
      for await (const chunk of body as unknown as AsyncIterable<Uint8Array>) {
        buffer += decoder.decode(chunk, { stream: true });
        let end: number;
        while ((end = buffer.indexOf('\n\n')) >= 0) {
          this.parse(buffer.slice(0, end));
          buffer = buffer.slice(end + 2);
        }
        this.wakeUp?.();
      }
    } catch {
      // aborted by the test
    } finally {
      this.ended = true;
      this.wakeUp?.();
    }
  }

  private parse(block: string): void {
    const item: StreamItem = { at: Date.now() };
    for (const line of block.split('\n')) {
      if (line.startsWith(':')) item.comment = line.slice(1).trim();
      else if (line.startsWith('id: ')) item.id = line.slice(4);
      else if (line.startsWith('event: ')) item.event = line.slice(7);
      else if (line.startsWith('data: ')) item.data = JSON.parse(line.slice(6));
    }
    this.items.push(item);
  }
}
