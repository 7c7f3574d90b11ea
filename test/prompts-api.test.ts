import { DEFAULT_PROMPTS } from '../functions';
import { startTestStack, type TestAccount, type TestStack } from './support/stack';

let stack: TestStack;
let account: TestAccount;

beforeAll(async () => {
  stack = await startTestStack();
  account = await stack.createAccount('Prompts');
});

afterAll(async () => {
  await stack?.stop();
});

describe('account prompts', () => {
  it('lists every prompt type with the default when the account has none', async () => {
    const answer = await stack.api('GET', '/api/v1/system/prompts/', { key: account.apiKey });
    expect(answer.status).toBe(200);
    expect(answer.body.count).toBe(6);
    const clustering = answer.body.results.find((p: { prompt_type: string }) => p.prompt_type === 'clustering');
    expect(clustering).toEqual({ prompt_type: 'clustering', prompt_value: DEFAULT_PROMPTS.clustering, source: 'default', updated_at: null });
  });

  it("stores the account's prompt, which clustering then uses, and DELETE reverts to the default", async () => {
    const put = await stack.api('PUT', '/api/v1/system/prompts/clustering/', {
      key: account.apiKey,
      body: { prompt_value: 'ACCOUNT PROMPT: group these as JSON {"clusters": []}\n[IGNY8_KEYWORDS]' },
    });
    expect(put.status).toBe(200);
    expect(put.body.data).toMatchObject({ prompt_type: 'clustering', source: 'account' });

    await stack.configureOpenAI(account);
    const created = await stack.api('POST', '/api/v1/planner/keywords/', { key: account.apiKey, body: { keywords: [{ keyword: 'prompt check' }] } });
    const started = await stack.api('POST', '/api/v1/planner/keywords/auto_cluster/', { key: account.apiKey, body: { ids: created.body.ids } });
    await stack.waitForTask(account, started.body.task_id);
    const sent = JSON.stringify(stack.provider.requests().at(-1)!.body);
    expect(sent).toContain('ACCOUNT PROMPT: group these');
    expect(sent).toContain('- prompt check (Volume: 0, Difficulty: 0, Intent: informational)');

    const removed = await stack.api('DELETE', '/api/v1/system/prompts/clustering/', { key: account.apiKey });
    expect(removed.body.data).toMatchObject({ source: 'default', prompt_value: DEFAULT_PROMPTS.clustering });
    const other = await stack.createAccount('Unaffected');
    const list = await stack.api('GET', '/api/v1/system/prompts/', { key: other.apiKey });
    expect(list.body.results.every((p: { source: string }) => p.source === 'default')).toBe(true);
  });

  it('rejects an unknown prompt type and an empty value', async () => {
    const unknown = await stack.api('PUT', '/api/v1/system/prompts/poetry/', { key: account.apiKey, body: { prompt_value: 'x' } });
    expect(unknown.status).toBe(400);
    expect(unknown.body.error).toContain('prompt_type');
    const empty = await stack.api('PUT', '/api/v1/system/prompts/ideas/', { key: account.apiKey, body: { prompt_value: '  ' } });
    expect(empty.status).toBe(400);
    expect(empty.body.error).toContain('prompt_value');
  });
});
