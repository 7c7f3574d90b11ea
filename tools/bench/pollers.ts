import http from 'node:http';
import { elapsedMs } from './stats';

export interface PollResult {
  latenciesMs: number[];
  /** Each poller's first answer (the API process had not been asked for that task yet, or not by it). */
  firstLatenciesMs: number[];
  /** Every later answer: the steady state of a page that keeps polling. */
  laterLatenciesMs: number[];
  errors: number;
  /** The first few error descriptions, to say what went wrong. */
  errorSamples: string[];
  requests: number;
}

const REQUEST_TIMEOUT_MS = 10_000;

/**
 * What a page full of progress bars does to the API: `pollers` clients, each on its own keep-alive
 * connection, each sending one GET every `intervalMs` (starting at random offsets within the first
 * interval, waiting for each answer before the next), for `durationMs`. Any answer other than 200,
 * a connection error or a request slower than 10 s counts as an error.
 */
export async function runPollers(opts: {
  baseUrl: string;
  paths: string[];
  headers?: Record<string, string>;
  pollers: number;
  intervalMs: number;
  durationMs: number;
}): Promise<PollResult> {
  const url = new URL(opts.baseUrl);
  const result: PollResult = { latenciesMs: [], firstLatenciesMs: [], laterLatenciesMs: [], errors: 0, errorSamples: [], requests: 0 };
  const fail = (what: string) => {
    result.errors++;
    if (result.errorSamples.length < 5) result.errorSamples.push(what);
  };
  const end = Date.now() + opts.durationMs;
  const agents: http.Agent[] = [];

  const poller = async (index: number) => {
    const agent = new http.Agent({ keepAlive: true, maxSockets: 1 });
    agents.push(agent);
    const path = opts.paths[index % opts.paths.length];
    let next = Date.now() + Math.random() * opts.intervalMs;
    for (let first = true; ; first = false) {
      const wait = next - Date.now();
      if (wait > 0) await new Promise((r) => setTimeout(r, wait));
      if (Date.now() >= end) return;
      next += opts.intervalMs;
      const started = process.hrtime.bigint();
      result.requests++;
      try {
        const status = await get(agent, url, path, opts.headers ?? {});
        if (status === 200) {
          const ms = elapsedMs(started);
          result.latenciesMs.push(ms);
          (first ? result.firstLatenciesMs : result.laterLatenciesMs).push(ms);
        }
        else fail(`${path} answered ${status}`);
      } catch (err) {
        fail(`${path}: ${err instanceof Error ? err.message : err}`);
      }
    }
  };
  await Promise.all(Array.from({ length: opts.pollers }, (_, i) => poller(i)));
  for (const agent of agents) agent.destroy();
  return result;
}

function get(agent: http.Agent, url: URL, path: string, headers: Record<string, string>): Promise<number> {
  return new Promise((resolve, reject) => {
    const request = http.get({ agent, hostname: url.hostname, port: url.port, path, headers, timeout: REQUEST_TIMEOUT_MS }, (response) => {
      response.resume();
      response.on('end', () => resolve(response.statusCode ?? 0));
      response.on('error', reject);
    });
    request.on('timeout', () => request.destroy(new Error(`no answer within ${REQUEST_TIMEOUT_MS / 1000} s`)));
    request.on('error', reject);
  });
}
