import { TEST_PROVIDER_KEY } from '../support/stack';
import { faultStackForSuite } from './fault-stack';
import { chatCallsFor, expectSettledOnce, payloadSizes, reportRecovery } from './fault-checks';

jest.setTimeout(120_000);

const ARTICLE_BYTES = 3 * 1024 * 1024;
const PAYLOAD_LIMIT_BYTES = 100 * 1024;
const suite = faultStackForSuite();

test('a 3 MB article is saved whole, and no payload in the workflow history is over 100 KB', async () => {
  const stack = suite();
  const title = 'The Complete Encyclopedia of Trail Running';
  const account = await stack.createAccount('Long articles');
  // An answer this long needs a max_tokens to match: answers are capped at 8 characters a token.
  const settings = await stack.api('PUT', '/api/v1/system/settings/integrations/openai/', {
    key: account.apiKey,
    body: { config: { apiKey: TEST_PROVIDER_KEY, model: 'gpt-4o-mini', baseUrl: `${stack.provider.url}/v1`, max_tokens: 400_000 }, is_active: true },
  });
  expect(settings.status).toBe(200);
  const created = await stack.api('POST', '/api/v1/writer/tasks/', {
    key: account.apiKey,
    body: { tasks: [{ title, description: 'Everything, at length.', keywords: 'trail running' }] },
  });
  expect(created.status).toBe(200);
  const [writerTaskId] = created.body.ids as number[];
  stack.provider.enqueue({ oversizeBytes: ARTICLE_BYTES, match: title });
  const worker = await stack.startWorker({ identity: 'worker-large-article' });

  const startedAt = Date.now();
  const started = await stack.api('POST', '/api/v1/writer/tasks/auto_generate_content/', { key: account.apiKey, body: { ids: [writerTaskId] } });
  expect(started.status).toBe(200);
  const taskId: string = started.body.task_id;
  const final = await stack.waitForTask(account, taskId, { timeoutMs: 100_000 });
  const finishedAt = Date.now();

  expect(final.state).toBe('SUCCESS');
  expect(final.result).toMatchObject({ count: 1, tasks_updated: 1, items: [{ id: writerTaskId, status: 'success' }] });
  const content = await stack.prisma.content.findUniqueOrThrow({ where: { taskId: writerTaskId } });
  expect(Buffer.byteLength(content.htmlContent)).toBeGreaterThanOrEqual(ARTICLE_BYTES * 0.9);
  const request = await stack.prisma.aIRequest.findFirstOrThrow({ where: { taskId } });
  expect(Buffer.byteLength(request.responseText!)).toBeGreaterThanOrEqual(ARTICLE_BYTES);

  const events = await expectSettledOnce(stack, {
    taskId,
    final,
    state: 'SUCCESS',
    providerCalls: chatCallsFor(stack.provider, title),
  });
  const payloads = payloadSizes(events);
  expect(payloads.length).toBeGreaterThan(events.length / 4);
  const largest = payloads.reduce((max, p) => (p.bytes > max.bytes ? p : max));
  expect(largest.bytes).toBeLessThanOrEqual(PAYLOAD_LIMIT_BYTES);
  reportRecovery(`3 MB article (largest history payload ${largest.bytes} bytes, in ${largest.event})`, startedAt, finishedAt, 'whole run finished');

  expect(await worker.stop()).toEqual({ code: 0, signal: null });
});
