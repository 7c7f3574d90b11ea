import { spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { createServer, type AddressInfo } from 'node:net';
import path from 'node:path';
import { Client, Connection } from '@temporalio/client';
import type { FastifyInstance } from 'fastify';
import { buildApp } from '../api/app';
import { startTestStack, type TestAccount, type TestStack } from './support/stack';

const IMAGE_SETTINGS = { provider: 'openai', model: 'dall-e-3', size: '1024x1024', image_type: 'realistic', image_format: 'webp', max_in_article_images: 1, desktop_enabled: true, mobile_enabled: false };

let stack: TestStack;
let account: TestAccount;

beforeAll(async () => {
  stack = await startTestStack();
  account = await stack.createAccount('Edges');
  await stack.configureOpenAI(account);
  const images = await stack.api('PUT', '/api/v1/system/settings/integrations/image_generation/', { key: account.apiKey, body: { config: IMAGE_SETTINGS, is_active: true } });
  expect(images.status).toBe(200);
});

afterAll(async () => {
  await stack?.stop();
});

async function keywords(owner: TestAccount, words: string[]): Promise<number[]> {
  const created = await stack.api('POST', '/api/v1/planner/keywords/', { key: owner.apiKey, body: { keywords: words.map((keyword) => ({ keyword, volume: 10 })) } });
  expect(created.status).toBe(200);
  return created.body.ids;
}

async function article(owner: TestAccount, title: string) {
  const sector = await stack.prisma.sector.findUniqueOrThrow({ where: { id: owner.sectorId } });
  const place = { accountId: owner.accountId, siteId: sector.siteId, sectorId: sector.id };
  const task = await stack.prisma.writerTask.create({ data: { ...place, title, status: 'completed' } });
  const content = await stack.prisma.content.create({ data: { ...place, taskId: task.id, title, htmlContent: `<h2>${title}</h2><p>All about ${title}.</p>` } });
  const image = await stack.prisma.image.create({ data: { accountId: owner.accountId, contentId: content.id, taskId: task.id, imageType: 'featured', position: 0, prompt: `a photo of ${title}` } });
  return { task, content, image };
}

async function start(owner: TestAccount, pathname: string, body: unknown) {
  const started = await stack.api('POST', pathname, { key: owner.apiKey, body });
  expect(started.status).toBe(200);
  const seen = await stack.waitForTask(owner, started.body.task_id);
  return { started: started.body, final: seen[seen.length - 1] };
}

function lastUserMessage(body: unknown): string {
  const messages = (body as { messages: { role: string; content: string }[] }).messages;
  return messages.filter((m) => m.role === 'user').at(-1)!.content;
}

/** A port nothing listens on. */
async function closedPort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  await new Promise((resolve) => server.close(resolve));
  return port;
}

describe('with Temporal unreachable', () => {
  let app: FastifyInstance;
  let baseUrl: string;
  let temporal: Client;

  beforeAll(async () => {
    // The API's Temporal client points at a closed port; the database is the suite's own.
    temporal = new Client({ connection: Connection.lazy({ address: `127.0.0.1:${await closedPort()}`, connectTimeout: 1000 }), namespace: 'default' });
    app = await buildApp({ prisma: stack.prisma, temporal, taskQueue: stack.taskQueue });
    await app.listen({ port: 0, host: '127.0.0.1' });
    baseUrl = `http://127.0.0.1:${(app.server.address() as AddressInfo).port}`;
  });

  afterAll(async () => {
    await app?.close();
    await temporal?.connection.close().catch(() => undefined);
  });

  it('a start answers 503 naming Temporal and leaves no run record behind', async () => {
    const ids = await keywords(account, ['tarp shelter', 'tarp ridgeline']);
    const before = await stack.prisma.aITaskLog.count({ where: { accountId: account.accountId } });
    const response = await fetch(`${baseUrl}/api/v1/planner/keywords/auto_cluster/`, {
      method: 'POST',
      headers: { authorization: `Bearer ${account.apiKey}`, 'content-type': 'application/json' },
      body: JSON.stringify({ ids }),
    });
    expect(response.status).toBe(503);
    expect(await response.json()).toEqual({
      success: false,
      error: expect.stringMatching(/^Temporal is unreachable; the task was not started \(/),
      request_id: response.headers.get('x-request-id'),
    });
    expect(await stack.prisma.aITaskLog.count({ where: { accountId: account.accountId } })).toBe(before);
  });

  it('health answers 503 naming Temporal, with the database ok', async () => {
    const response = await fetch(`${baseUrl}/api/v1/health/`);
    expect(response.status).toBe(503);
    expect(await response.json()).toEqual({ success: false, database: 'ok', temporal: 'unreachable', error: 'Unreachable: Temporal', request_id: expect.any(String) });
  });
});

describe('a run in Temporal', () => {
  it('carries its summary in the memo and as the Web UI summary', async () => {
    const ids = await keywords(account, ['bear canister', 'bear spray']);
    const { started } = await start(account, '/api/v1/planner/keywords/auto_cluster/', { ids });
    const description = await stack.temporal.workflow.getHandle(started.task_id).describe();
    const summary = `auto_cluster of 2 keyword(s) for account ${account.accountId}`;
    expect(description.memo).toMatchObject({ summary });
    expect(await description.staticSummary()).toBe(summary);
  });
});

describe('the text model settings', () => {
  it('send max_tokens and temperature from the account’s settings to the provider, and 4000 and 0.7 when unset', async () => {
    stack.provider.reset();
    await start(account, '/api/v1/planner/keywords/auto_cluster/', { ids: await keywords(account, ['stove fuel']) });
    expect(stack.provider.requests({ path: '/v1/chat/completions' }).at(-1)!.body).toMatchObject({ max_tokens: 4000, temperature: 0.7 });

    const tuned = await stack.createAccount('Tuned');
    await stack.configureOpenAI(tuned, { max_tokens: 1234, temperature: 0.25 });
    await start(tuned, '/api/v1/planner/keywords/auto_cluster/', { ids: await keywords(tuned, ['stove windscreen']) });
    expect(stack.provider.requests({ path: '/v1/chat/completions' }).at(-1)!.body).toMatchObject({ max_tokens: 1234, temperature: 0.25, model: 'gpt-4o-mini' });
  });
});

describe('the image functions', () => {
  it('answer their start messages', async () => {
    const { content, image } = await article(account, 'Headnets');
    const prompts = await stack.api('POST', '/api/v1/writer/content/generate_image_prompts/', { key: account.apiKey, body: { ids: [content.id] } });
    expect(prompts.body).toEqual({ success: true, task_id: expect.stringMatching(/^generate_image_prompts-a\d+-/), message: 'Image prompt extraction started' });
    await stack.waitForTask(account, prompts.body.task_id);
    const images = await stack.api('POST', '/api/v1/writer/images/generate_images/', { key: account.apiKey, body: { ids: [image.id] } });
    expect(images.body).toEqual({ success: true, task_id: expect.stringMatching(/^generate_images-a\d+-/), message: 'Image generation started' });
    await stack.waitForTask(account, images.body.task_id);
  });

  it('image_prompt_extraction: the account’s prompt replaces the default, and a start’s prompt_override replaces the account’s', async () => {
    const owner = await stack.createAccount('Extraction prompts');
    await stack.configureOpenAI(owner);
    await stack.api('PUT', '/api/v1/system/settings/integrations/image_generation/', { key: owner.apiKey, body: { config: IMAGE_SETTINGS } });
    const { content } = await article(owner, 'Bug spray');
    const ask = (source: string) => `${source}: prompts for "{title}", up to {max_images}. Answer JSON with "featured_prompt" and "in_article_prompts".\n{content}`;
    const put = await stack.api('PUT', '/api/v1/system/prompts/image_prompt_extraction/', { key: owner.apiKey, body: { prompt_value: ask('ACCOUNT EXTRACTION') } });
    expect(put.status).toBe(200);

    const byAccount = await start(owner, '/api/v1/writer/content/generate_image_prompts/', { ids: [content.id] });
    expect(byAccount.final.state).toBe('SUCCESS');
    const accountPrompt = lastUserMessage(stack.provider.requests({ path: '/v1/chat/completions' }).at(-1)!.body);
    expect(accountPrompt).toContain('ACCOUNT EXTRACTION: prompts for "Bug spray", up to 1.');

    const byOverride = await start(owner, '/api/v1/writer/content/generate_image_prompts/', { ids: [content.id], prompt_override: ask('OVERRIDE EXTRACTION') });
    expect(byOverride.final.state).toBe('SUCCESS');
    const overridePrompt = lastUserMessage(stack.provider.requests({ path: '/v1/chat/completions' }).at(-1)!.body);
    expect(overridePrompt).toContain('OVERRIDE EXTRACTION: prompts for "Bug spray"');
    expect(overridePrompt).not.toContain('ACCOUNT EXTRACTION');
  });

  it('image_prompt_template: the account’s template replaces the default, and a start’s prompt_override replaces the account’s', async () => {
    const owner = await stack.createAccount('Image templates');
    await stack.configureOpenAI(owner);
    await stack.api('PUT', '/api/v1/system/settings/integrations/image_generation/', { key: owner.apiKey, body: { config: IMAGE_SETTINGS } });
    const { image } = await article(owner, 'Trail maps');
    await stack.api('PUT', '/api/v1/system/prompts/image_prompt_template/', { key: owner.apiKey, body: { prompt_value: 'ACCOUNT TEMPLATE {image_type}: {image_prompt}' } });

    const byAccount = await start(owner, '/api/v1/writer/images/generate_images/', { ids: [image.id] });
    expect(byAccount.final.state).toBe('SUCCESS');
    expect(stack.provider.requests({ path: '/v1/images/generations' }).at(-1)!.body).toMatchObject({ prompt: 'ACCOUNT TEMPLATE realistic: a photo of Trail maps' });

    const byOverride = await start(owner, '/api/v1/writer/images/generate_images/', { ids: [image.id], prompt_override: 'OVERRIDE TEMPLATE for "{post_title}": {image_prompt}' });
    expect(byOverride.final.state).toBe('SUCCESS');
    expect(stack.provider.requests({ path: '/v1/images/generations' }).at(-1)!.body).toMatchObject({ prompt: 'OVERRIDE TEMPLATE for "Trail maps": a photo of Trail maps' });
  });
});

describe('npm run account:create', () => {
  const accountCreate = (args: string[]) =>
    spawnSync(process.execPath, ['--import', 'tsx', path.join(__dirname, '..', 'tools', 'accounts', 'create.ts'), ...args], {
      env: { ...process.env, DATABASE_URL: stack.databaseUrl },
      encoding: 'utf8',
    });

  it('prints one JSON line whose key works at once, with a default site and sector, and stores only its hash', async () => {
    const created = accountCreate(['--name', 'Acme Outdoors']);
    expect({ status: created.status, stderr: created.stderr }).toEqual({ status: 0, stderr: '' });
    const lines = created.stdout.trim().split('\n');
    expect(lines).toHaveLength(1);
    const printed = JSON.parse(lines[0]);
    expect(printed).toEqual({ account_id: expect.any(Number), api_key: expect.stringMatching(/^\S{32,}$/), credits: expect.any(Number) });

    const sectors = await stack.api('GET', '/api/v1/planner/sectors/', { key: printed.api_key });
    expect(sectors.status).toBe(200);
    expect(sectors.body.results).toEqual([expect.objectContaining({ name: 'General', site_name: 'Default site' })]);
    const made = await stack.api('POST', '/api/v1/planner/keywords/', { key: printed.api_key, body: { keywords: [{ keyword: 'first keyword' }] } });
    expect(made.status).toBe(200);

    const row = await stack.prisma.account.findUniqueOrThrow({ where: { id: printed.account_id } });
    expect(row).toMatchObject({ name: 'Acme Outdoors', apiKeyHash: createHash('sha256').update(printed.api_key).digest('hex') });
    expect(JSON.stringify(row)).not.toContain(printed.api_key);
  });

  it('without --name exits 1 saying how to call it, creating nothing', async () => {
    const before = await stack.prisma.account.count();
    const refused = accountCreate([]);
    expect(refused.status).toBe(1);
    expect(refused.stdout).toBe('');
    expect(refused.stderr).toContain('Give the account a name: npm run account:create -- --name "Acme"');
    expect(await stack.prisma.account.count()).toBe(before);
  });
});
