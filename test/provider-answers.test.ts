import { randomUUID } from 'node:crypto';
import type { BehaviourInput } from '../tools/demo-provider/behaviours';
import { startTestStack, TEST_PROVIDER_KEY, type TestAccount, type TestStack } from './support/stack';
import { RUNWARE_TEST_KEY } from './support/provider-keys';
import { readSuiteLog } from './support/suite-log';

/**
 * What a provider's answer may put into a run: an error's status and code, never its text (which
 * may echo the key), and no more text than max_tokens allows.
 */

let stack: TestStack;
/** Where the suite log stood when the test began: its lines since are the test's own. */
let logStart = 0;

beforeAll(async () => {
  stack = await startTestStack();
});

beforeEach(() => {
  logStart = readSuiteLog().length;
});

afterAll(async () => {
  await stack?.stop();
});

async function putIntegration(owner: TestAccount, type: string, config: Record<string, unknown>) {
  const answer = await stack.api('PUT', `/api/v1/system/settings/integrations/${type}/`, { key: owner.apiKey, body: { config, is_active: true } });
  expect(answer.status).toBe(200);
}

/** Everything a run left behind that people or logs see: progress answer, run record, history (payloads decoded), log lines. */
async function traces(owner: TestAccount, taskId: string): Promise<Record<string, string>> {
  const progress = await stack.api('GET', `/api/v1/system/settings/task_progress/${taskId}/`, { key: owner.apiKey });
  const record = await stack.prisma.aITaskLog.findUniqueOrThrow({ where: { taskId } });
  const history = await stack.temporal.workflow.getHandle(taskId).fetchHistory();
  const decoded = JSON.stringify(history, (_key, value) => (value instanceof Uint8Array ? Buffer.from(value).toString('utf8') : value));
  return { progress: JSON.stringify(progress.body), record: JSON.stringify(record), history: decoded, log: readSuiteLog().slice(logStart) };
}

/** Clusters three keywords with `behaviour` queued for their AI call. */
async function clusterWith(owner: TestAccount, behaviour: BehaviourInput) {
  const marker = `marker ${randomUUID().slice(0, 8)}`;
  const keywords = [marker, `${marker} reviews`, `cheap ${marker}`].map((keyword) => ({ keyword, volume: 100, difficulty: 10, intent: 'commercial' }));
  const created = await stack.api('POST', '/api/v1/planner/keywords/', { key: owner.apiKey, body: { keywords } });
  expect(created.status).toBe(200);
  stack.provider.enqueue({ ...behaviour, match: marker });
  const started = await stack.api('POST', '/api/v1/planner/keywords/auto_cluster/', { key: owner.apiKey, body: { ids: created.body.ids } });
  expect(started.status).toBe(200);
  const seen = await stack.waitForTask(owner, started.body.task_id);
  const calls = stack.provider.requests({ path: '/v1/chat/completions' }).filter((r) => JSON.stringify(r.body).includes(marker));
  return { taskId: started.body.task_id as string, final: seen[seen.length - 1], calls };
}

describe('a provider error that echoes the key', () => {
  const providerText = 'Incorrect API key provided';

  it('OpenAI: the run fails naming status and code; neither the key nor the provider’s text is in the run’s error, progress, record, history or logs', async () => {
    const owner = await stack.createAccount();
    await stack.configureOpenAI(owner);
    const run = await clusterWith(owner, {
      status: 401,
      code: 'invalid_api_key',
      message: `${providerText}: ${TEST_PROVIDER_KEY}. You can find your API key at https://platform.openai.com/account/api-keys.`,
    });

    expect(run.final.state).toBe('FAILURE');
    expect(run.final.error).toContain("The AI provider rejected the request (401) with error code 'invalid_api_key'.");
    // A 401 is final: asked once.
    expect(run.calls.map((c) => c.status)).toEqual([401]);
    for (const [where, text] of Object.entries(await traces(owner, run.taskId))) {
      expect({ where, key: text.includes(TEST_PROVIDER_KEY), providerText: text.includes(providerText) }).toEqual({ where, key: false, providerText: false });
    }
  });

  it('OpenAI: a key-like code is dropped, and an sk- key of another account in a 500 is not carried into the retry’s history', async () => {
    const owner = await stack.createAccount();
    await stack.configureOpenAI(owner);
    const strangerKey = 'sk-proj-Zx81StrangerKey0000111122223333';
    const run = await clusterWith(owner, { status: 500, code: TEST_PROVIDER_KEY, message: `upstream said ${strangerKey}` });

    expect(run.final.state).toBe('SUCCESS');
    expect(run.calls.map((c) => c.status)).toEqual([500, 200]);
    const seen = await traces(owner, run.taskId);
    expect(seen.history.includes('The AI provider failed (500).')).toBe(true);
    for (const text of Object.values(seen)) {
      expect(text).not.toContain(TEST_PROVIDER_KEY);
      expect(text).not.toContain(strangerKey);
    }
  });

  it('Runware: the image fails naming status and code; neither the key nor Runware’s text is anywhere', async () => {
    const owner = await stack.createAccount();
    await putIntegration(owner, 'runware', { apiKey: RUNWARE_TEST_KEY, baseUrl: `${stack.provider.url}/v1` });
    await putIntegration(owner, 'image_generation', { provider: 'runware', model: 'runware:97@1', size: '1024x1024' });
    const sector = await stack.prisma.sector.findUniqueOrThrow({ where: { id: owner.sectorId } });
    const place = { accountId: owner.accountId, siteId: sector.siteId, sectorId: sector.id };
    const task = await stack.prisma.writerTask.create({ data: { ...place, title: 'Dunes', status: 'completed' } });
    const content = await stack.prisma.content.create({ data: { ...place, taskId: task.id, title: 'Dunes', htmlContent: '<p>Dunes.</p>', wordCount: 1 } });
    const prompt = `Dunes at sunrise ${randomUUID().slice(0, 8)}`;
    const image = await stack.prisma.image.create({
      data: { accountId: owner.accountId, contentId: content.id, taskId: task.id, imageType: 'featured', position: 0, prompt },
    });
    stack.provider.enqueue({ path: '/v1', match: prompt, status: 401, code: 'invalidApiKey', message: `Invalid API key ${RUNWARE_TEST_KEY}. Get one at https://my.runware.ai/signup` });

    const started = await stack.api('POST', '/api/v1/writer/images/generate_images/', { key: owner.apiKey, body: { ids: [image.id] } });
    expect(started.status).toBe(200);
    const seen = await stack.waitForTask(owner, started.body.task_id);
    const final = seen[seen.length - 1];

    expect(final.state).toBe('FAILURE');
    expect(final.error).toContain("The AI provider rejected the request (401) with error code 'invalidApiKey'.");
    const calls = stack.provider.requests({ path: '/v1' }).filter((r) => JSON.stringify(r.body).includes(prompt));
    expect(calls.map((c) => c.status)).toEqual([401]);
    for (const [where, text] of Object.entries(await traces(owner, started.body.task_id))) {
      expect({ where, key: text.includes(RUNWARE_TEST_KEY), runwareText: text.includes('Get one at') }).toEqual({ where, key: false, runwareText: false });
    }
  });
});

describe('a text answer longer than max_tokens allows', () => {
  it('is cut once it passes max_tokens × 8 characters: FAILURE with the cap message, asked once', async () => {
    const owner = await stack.createAccount();
    await stack.configureOpenAI(owner, { max_tokens: 10 });
    const run = await clusterWith(owner, { content: 'x'.repeat(2_000_000) });

    expect(run.final.state).toBe('FAILURE');
    expect(run.final.error).toContain(
      "The AI provider's answer went past 80 characters (8 characters a token for max_tokens 10); the call was stopped and is not retried.",
    );
    expect(run.calls).toHaveLength(1);
    // Nothing of the answer was stored for PARSE.
    const stored = await stack.prisma.aIRequest.findMany({ where: { taskId: run.taskId } });
    expect(stored.map((r) => r.responseText)).toEqual([null]);
  });
});
