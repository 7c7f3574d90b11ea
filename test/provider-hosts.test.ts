import { randomUUID } from 'node:crypto';
import { startDemoProvider, type DemoProvider } from '../tools/demo-provider/server';
import { startTestStack, type TestAccount, type TestStack } from './support/stack';
import { RUNWARE_TEST_KEY } from './support/provider-keys';

/**
 * A tenant's base URL cannot send the worker anywhere the operator did not allow: the stack's
 * worker lists only its own demo provider, so a second demo provider on another port stands for
 * any host the operator did not list. Such a run fails at INIT and nothing is sent anywhere.
 */

let stack: TestStack;
let unlisted: DemoProvider;

beforeAll(async () => {
  stack = await startTestStack();
  unlisted = await startDemoProvider({ quiet: true });
});

afterAll(async () => {
  await stack?.stop();
  await unlisted?.close();
});

async function putIntegration(owner: TestAccount, type: string, config: Record<string, unknown>) {
  const answer = await stack.api('PUT', `/api/v1/system/settings/integrations/${type}/`, { key: owner.apiKey, body: { config, is_active: true } });
  expect(answer.status).toBe(200);
}

/** Clusters three keywords; returns the run's end and the provider requests made meanwhile, on either provider. */
async function cluster(owner: TestAccount) {
  const marker = `marker ${randomUUID().slice(0, 8)}`;
  const keywords = [marker, `${marker} reviews`, `cheap ${marker}`].map((keyword) => ({ keyword, volume: 100, difficulty: 10, intent: 'commercial' }));
  const created = await stack.api('POST', '/api/v1/planner/keywords/', { key: owner.apiKey, body: { keywords } });
  expect(created.status).toBe(200);
  const before = stack.provider.requests().length + unlisted.requests().length;
  const started = await stack.api('POST', '/api/v1/planner/keywords/auto_cluster/', { key: owner.apiKey, body: { ids: created.body.ids } });
  expect(started.status).toBe(200);
  const seen = await stack.waitForTask(owner, started.body.task_id);
  const sent = stack.provider.requests().length + unlisted.requests().length - before;
  return { taskId: started.body.task_id as string, final: seen[seen.length - 1], sent };
}

async function expectFailedAtInit(run: Awaited<ReturnType<typeof cluster>>, message: string) {
  expect(run.final).toMatchObject({ state: 'FAILURE', meta: { phase: 'INIT' } });
  expect(run.final.error).toBe(message);
  expect(run.sent).toBe(0);
  const record = await stack.prisma.aITaskLog.findUniqueOrThrow({ where: { taskId: run.taskId } });
  expect(record).toMatchObject({ status: 'error', phase: 'INIT', error: message });
}

describe('an OpenAI base URL the operator did not list', () => {
  it('a demo provider on a port that is not listed: FAILURE at INIT naming the host, and no request anywhere; the listed one is reached', async () => {
    const owner = await stack.createAccount();
    await stack.configureOpenAI(owner, { baseUrl: `${unlisted.url}/v1` });
    const host = new URL(unlisted.url).host;
    await expectFailedAtInit(
      await cluster(owner),
      `The OpenAI base URL in IntegrationSettings for account ${owner.accountId} points at '${host}' (a loopback address), which AI calls may not reach: ` +
        `by default only https://api.openai.com is allowed. The operator must list '${host}' in AI_PROVIDER_ALLOWED_HOSTS to allow it.`,
    );
    expect(unlisted.requests()).toEqual([]);

    // The same account pointed at the demo provider the operator listed runs as before.
    await stack.configureOpenAI(owner);
    const listed = await cluster(owner);
    expect(listed.final.state).toBe('SUCCESS');
    expect(listed.sent).toBe(1);
  });

  it('the cloud metadata address: FAILURE at INIT', async () => {
    const owner = await stack.createAccount();
    await stack.configureOpenAI(owner, { baseUrl: 'http://169.254.169.254/latest/meta-data' });
    await expectFailedAtInit(
      await cluster(owner),
      `The OpenAI base URL in IntegrationSettings for account ${owner.accountId} points at '169.254.169.254' (a link-local address), which AI calls may not reach: ` +
        `by default only https://api.openai.com is allowed. The operator must list '169.254.169.254' in AI_PROVIDER_ALLOWED_HOSTS to allow it.`,
    );
  });

  it('user info naming the public API in front of the listed address: FAILURE at INIT', async () => {
    const owner = await stack.createAccount();
    await stack.configureOpenAI(owner, { baseUrl: `http://api.openai.com@2130706433:${stack.provider.port}/v1` });
    await expectFailedAtInit(
      await cluster(owner),
      `The OpenAI base URL in IntegrationSettings for account ${owner.accountId} holds a user name or password; the key belongs in 'apiKey'.`,
    );
  });
});

describe('a Runware base URL the operator did not list', () => {
  it('fails generate_images at INIT naming the host, and no request anywhere', async () => {
    const owner = await stack.createAccount();
    await putIntegration(owner, 'runware', { apiKey: RUNWARE_TEST_KEY, baseUrl: `${unlisted.url}/v1` });
    await putIntegration(owner, 'image_generation', { provider: 'runware', model: 'runware:97@1', size: '1024x1024' });
    const sector = await stack.prisma.sector.findUniqueOrThrow({ where: { id: owner.sectorId } });
    const place = { accountId: owner.accountId, siteId: sector.siteId, sectorId: sector.id };
    const task = await stack.prisma.writerTask.create({ data: { ...place, title: 'Dunes', status: 'completed' } });
    const content = await stack.prisma.content.create({ data: { ...place, taskId: task.id, title: 'Dunes', htmlContent: '<p>Dunes.</p>', wordCount: 1 } });
    const image = await stack.prisma.image.create({
      data: { accountId: owner.accountId, contentId: content.id, taskId: task.id, imageType: 'featured', position: 0, prompt: 'Dunes at sunrise' },
    });

    const before = stack.provider.requests().length;
    const started = await stack.api('POST', '/api/v1/writer/images/generate_images/', { key: owner.apiKey, body: { ids: [image.id] } });
    expect(started.status).toBe(200);
    const seen = await stack.waitForTask(owner, started.body.task_id);
    const final = seen[seen.length - 1];

    const host = new URL(unlisted.url).host;
    expect(final).toMatchObject({ state: 'FAILURE', meta: { phase: 'INIT' } });
    expect(final.error).toBe(
      `The Runware base URL in IntegrationSettings for account ${owner.accountId} points at '${host}' (a loopback address), which AI calls may not reach: ` +
        `by default only https://api.runware.ai is allowed. The operator must list '${host}' in AI_PROVIDER_ALLOWED_HOSTS to allow it.`,
    );
    expect(unlisted.requests()).toEqual([]);
    expect(stack.provider.requests().length).toBe(before);
  });
});
