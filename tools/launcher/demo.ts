import { readFile, writeFile } from 'node:fs/promises';
import type { PrismaClient } from '../../db/client';
import { createAccount } from '../../api/services/accounts';
import { hashApiKey } from '../../api/plugins/auth';
import type { TaskProgress } from '../../core/progress';

export const DEMO_KEYWORDS = [
  { keyword: 'best running shoes', volume: 12100, difficulty: 48, intent: 'commercial' },
  { keyword: 'running shoes for flat feet', volume: 3600, difficulty: 32, intent: 'commercial' },
  { keyword: 'trail running shoes', volume: 5400, difficulty: 39, intent: 'commercial' },
  { keyword: 'how to start running', volume: 8100, difficulty: 24, intent: 'informational' },
  { keyword: 'running plan for beginners', volume: 2900, difficulty: 21, intent: 'informational' },
  { keyword: 'couch to 5k running plan', volume: 6600, difficulty: 27, intent: 'informational' },
  { keyword: 'marathon training plan', volume: 9900, difficulty: 41, intent: 'informational' },
  { keyword: 'marathon nutrition tips', volume: 1300, difficulty: 22, intent: 'informational' },
];

export interface DemoAccount {
  accountId: number;
  apiKey: string;
}

/**
 * The demo account, created once: its key is kept in .data/ (the only place it exists in clear, on
 * the user's own machine) so a restart reuses the account instead of making a second one.
 */
export async function ensureDemoAccount(prisma: PrismaClient, keyFile: string): Promise<DemoAccount & { created: boolean }> {
  try {
    const saved = JSON.parse(await readFile(keyFile, 'utf8')) as DemoAccount;
    const account = await prisma.account.findUnique({ where: { id: saved.accountId } });
    if (account && account.apiKeyHash === hashApiKey(saved.apiKey)) return { ...saved, created: false };
  } catch {
    // no saved demo account yet
  }
  const account = await createAccount(prisma, 'Demo');
  const demo = { accountId: account.accountId, apiKey: account.apiKey };
  await writeFile(keyFile, JSON.stringify(demo), { mode: 0o600 });
  return { ...demo, created: true };
}

type Api = <T = any>(method: string, path: string, body?: unknown) => Promise<{ status: number; body: T }>;

export function demoApi(baseUrl: string, apiKey: string): Api {
  return async (method, path, body) => {
    const response = await fetch(`${baseUrl}${path}`, {
      method,
      headers: { authorization: `Bearer ${apiKey}`, ...(body === undefined ? {} : { 'content-type': 'application/json' }) },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    return { status: response.status, body: (await response.json()) as never };
  };
}

/** Points the demo account at the bundled demo provider (a real OpenAI-compatible server). */
export async function configureDemoProvider(api: Api, providerUrl: string): Promise<void> {
  const answer = await api('PUT', '/api/v1/system/settings/integrations/openai/', {
    config: { apiKey: 'demo-provider-key', model: 'gpt-4o-mini', baseUrl: `${providerUrl}/v1`, max_tokens: 4000, temperature: 0.7 },
    is_active: true,
  });
  if (answer.status !== 200) throw new Error(`Configuring the demo provider failed: ${JSON.stringify(answer.body)}`);
}

/** The sample keywords' ids, creating those that do not exist yet. */
export async function ensureDemoKeywords(api: Api): Promise<number[]> {
  const list = await api<{ results: { id: number; keyword: string }[] }>('GET', '/api/v1/planner/keywords/?limit=500');
  const existing = new Map(list.body.results.map((k) => [k.keyword, k.id]));
  const missing = DEMO_KEYWORDS.filter((k) => !existing.has(k.keyword));
  if (missing.length) {
    const created = await api<{ ids: number[] }>('POST', '/api/v1/planner/keywords/', { keywords: missing });
    if (created.status !== 200) throw new Error(`Creating demo keywords failed: ${JSON.stringify(created.body)}`);
    missing.forEach((k, i) => existing.set(k.keyword, created.body.ids[i]));
  }
  return DEMO_KEYWORDS.map((k) => existing.get(k.keyword)!);
}

/** Starts one task and prints its progress (phase, percentage, message) until it ends. */
export async function runDemoTask(api: Api, path: string, body: unknown, print: (line: string) => void): Promise<TaskProgress> {
  const started = await api<{ task_id: string; message?: string; error?: string }>('POST', path, body);
  if (started.status !== 200) throw new Error(`Starting the demo task failed: ${started.body.error}`);
  const taskId = started.body.task_id;
  print(`Demo task ${taskId}: ${started.body.message}`);
  let last = '';
  for (;;) {
    const progress = await api<TaskProgress>('GET', `/api/v1/system/settings/task_progress/${taskId}/`);
    if (progress.status === 200) {
      const { state, meta } = progress.body;
      const line = `${state.padEnd(8)} ${meta.phase.padEnd(7)} ${String(meta.percentage).padStart(3)}%  ${meta.message}`;
      if (line !== last) print(line);
      last = line;
      if (['SUCCESS', 'FAILURE', 'REVOKED'].includes(state)) return progress.body;
    }
    await new Promise((r) => setTimeout(r, 250));
  }
}
