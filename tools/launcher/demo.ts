import { readFile, writeFile } from 'node:fs/promises';
import type { PrismaClient } from '../../db/client';
import { createAccount, hashApiKey } from '../../api/services/accounts';
import type { TaskProgress } from '../../pipeline/progress';

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

/** Image settings for the demo: OpenAI-compatible images from the demo provider. */
export async function configureDemoImages(api: Api): Promise<void> {
  const answer = await api('PUT', '/api/v1/system/settings/integrations/image_generation/', {
    config: {
      provider: 'openai',
      model: 'dall-e-3',
      size: '1024x1024',
      image_type: 'realistic',
      image_format: 'webp',
      max_in_article_images: 2,
      desktop_enabled: true,
      mobile_enabled: false,
    },
    is_active: true,
  });
  if (answer.status !== 200) throw new Error(`Configuring demo image settings failed: ${JSON.stringify(answer.body)}`);
}

/**
 * The whole chain a newcomer can watch in the Web UI: keywords → clusters → ideas → writer tasks →
 * articles → image prompts → images, each step one task of an AI function.
 */
export async function runDemoChain(api: Api, keywordIds: number[], print: (line: string) => void): Promise<TaskProgress[]> {
  const results: TaskProgress[] = [];
  const run = async (path: string, body: unknown) => {
    const final = await runDemoTask(api, path, body, print);
    results.push(final);
    if (final.state !== 'SUCCESS') throw new Error(`Demo task ended ${final.state}: ${final.error ?? ''}`);
    print(`Result: ${JSON.stringify({ ...final.result, items: undefined })}`);
    return final;
  };

  await run('/api/v1/planner/keywords/auto_cluster/', { ids: keywordIds });
  const clusters = await api<{ results: { id: number }[] }>('GET', `/api/v1/planner/clusters/?limit=10`);
  const clusterIds = clusters.body.results.map((c) => c.id).slice(0, 3);
  const ideasBefore = await api<{ results: { id: number }[] }>('GET', '/api/v1/planner/ideas/?limit=500');
  const known = new Set(ideasBefore.body.results.map((i) => i.id));
  await run('/api/v1/planner/clusters/auto_generate_ideas/', { ids: clusterIds });

  const ideas = await api<{ results: { id: number; idea_title: string; description: string; target_keywords: string; content_type: string; content_structure: string }[] }>(
    'GET',
    '/api/v1/planner/ideas/?limit=500',
  );
  const fresh = ideas.body.results.filter((i) => !known.has(i.id)).slice(0, 2);
  const tasks = await api<{ ids: number[] }>('POST', '/api/v1/writer/tasks/', {
    tasks: fresh.map((idea) => ({
      title: idea.idea_title,
      description: `Article for the idea "${idea.idea_title}"`,
      keywords: idea.target_keywords,
      idea_id: idea.id,
      content_type: idea.content_type,
      content_structure: idea.content_structure,
    })),
  });
  if (tasks.status !== 200) throw new Error(`Creating demo writer tasks failed: ${JSON.stringify(tasks.body)}`);
  await run('/api/v1/writer/tasks/auto_generate_content/', { ids: tasks.body.ids });

  const contents = await api<{ results: { id: number }[] }>('GET', `/api/v1/writer/content/?limit=500`);
  const taskIds = new Set(tasks.body.ids);
  const contentIds = (contents.body.results as { id: number; task_id: number }[]).filter((c) => taskIds.has(c.task_id)).map((c) => c.id);
  await configureDemoImages(api);
  await run('/api/v1/writer/content/generate_image_prompts/', { ids: contentIds });

  const images = await api<{ results: { id: number; content_id: number }[] }>('GET', `/api/v1/writer/images/?limit=500&status=pending`);
  const imageIds = images.body.results.filter((i) => contentIds.includes(i.content_id)).map((i) => i.id);
  await run('/api/v1/writer/images/generate_images/', { ids: imageIds });
  return results;
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
