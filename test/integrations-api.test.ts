import type { AddressInfo } from 'node:net';
import { buildApp } from '../api/app';
import { OPENAI_TEST_KEY } from './support/provider-keys';
import { startTestStack, type TestAccount, type TestStack } from './support/stack';

let stack: TestStack;
let account: TestAccount;

beforeAll(async () => {
  stack = await startTestStack();
  account = await stack.createAccount('Settings');
});

afterAll(async () => {
  await stack?.stop();
});

const path = '/api/v1/system/settings/integrations/openai/';

describe('integration settings', () => {
  it('merges a PUT into the stored config and keeps the stored key when it is omitted or sent back masked', async () => {
    await stack.api('PUT', path, { key: account.apiKey, body: { config: { apiKey: OPENAI_TEST_KEY, model: 'gpt-4o-mini' }, is_active: true } });
    const shown = await stack.api('GET', path, { key: account.apiKey });
    const masked = shown.body.data.config.apiKey as string;
    expect(masked).toMatch(/^••••/);
    expect(JSON.stringify(shown.body)).not.toContain(OPENAI_TEST_KEY);

    await stack.api('PUT', path, { key: account.apiKey, body: { config: { apiKey: masked, temperature: 0.2 } } });
    await stack.api('PUT', path, { key: account.apiKey, body: { config: { max_tokens: 1000 } } });
    const row = await stack.prisma.integrationSettings.findUniqueOrThrow({
      where: { accountId_integrationType: { accountId: account.accountId, integrationType: 'openai' } },
    });
    expect(row.config).toEqual({ apiKey: OPENAI_TEST_KEY, model: 'gpt-4o-mini', temperature: 0.2, max_tokens: 1000 });
    expect(row.isActive).toBe(true);
  });

  it('replaces the key when a new one is sent, and removes a setting sent as null', async () => {
    await stack.api('PUT', path, { key: account.apiKey, body: { config: { apiKey: 'sk-replaced-key-000000000000', temperature: null } } });
    const row = await stack.prisma.integrationSettings.findUniqueOrThrow({
      where: { accountId_integrationType: { accountId: account.accountId, integrationType: 'openai' } },
    });
    expect(row.config).toEqual({ apiKey: 'sk-replaced-key-000000000000', model: 'gpt-4o-mini', max_tokens: 1000 });
  });

  it('rejects an unknown integration type naming it', async () => {
    const answer = await stack.api('PUT', '/api/v1/system/settings/integrations/anthropic/', { key: account.apiKey, body: { config: {} } });
    expect(answer.status).toBe(400);
    expect(answer.body.error).toContain('integration_type');
  });
});

describe('CORS', () => {
  it('allows the configured origins only', async () => {
    const app = await buildApp({ prisma: stack.prisma, temporal: stack.temporal, taskQueue: stack.taskQueue, corsOrigins: ['https://app.example'] });
    await app.listen({ port: 0, host: '127.0.0.1' });
    try {
      const base = `http://127.0.0.1:${(app.server.address() as AddressInfo).port}`;
      const preflight = (origin: string) =>
        fetch(`${base}/api/v1/planner/keywords/`, {
          method: 'OPTIONS',
          headers: { origin, 'access-control-request-method': 'POST', 'access-control-request-headers': 'authorization,content-type' },
        });
      const allowed = await preflight('https://app.example');
      expect(allowed.headers.get('access-control-allow-origin')).toBe('https://app.example');
      const refused = await preflight('https://evil.example');
      expect(refused.headers.get('access-control-allow-origin')).toBeNull();
    } finally {
      await app.close();
    }
  });
});
