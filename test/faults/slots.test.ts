import { faultStackForSuite, type FaultStack } from './fault-stack';
import { reportRecovery } from './fault-checks';
import type { TestAccount } from '../support/stack';

jest.setTimeout(180_000);

const suite = faultStackForSuite();

async function startContent(stack: FaultStack, account: TestAccount, title: string): Promise<string> {
  const created = await stack.api('POST', '/api/v1/writer/tasks/', { key: account.apiKey, body: { tasks: [{ title }] } });
  const started = await stack.api('POST', '/api/v1/writer/tasks/auto_generate_content/', { key: account.apiKey, body: { ids: created.body.ids } });
  expect(started.status).toBe(200);
  return started.body.task_id;
}

test('a worker killed (SIGKILL) while one task holds the slot and two wait: every task finishes and no slot is leaked', async () => {
  const stack = suite();
  const account = await stack.createAccount('Slots and kills', { maxConcurrentAiCalls: 1 });
  const first = await stack.startWorker({ identity: 'worker-killed-in-line' });
  stack.provider.hold();
  const tasks = [await startContent(stack, account, 'Held call'), await startContent(stack, account, 'Second in line'), await startContent(stack, account, 'Third in line')];
  // One call in flight (held by the provider), the two others waiting their turn.
  await waitFor(async () => stack.provider.held() === 1 && (await stack.prisma.aiCallSlot.count({ where: { accountId: account.accountId, state: 'waiting' } })) === 2);
  expect(await stack.prisma.aiCallSlot.count({ where: { accountId: account.accountId, state: 'granted' } })).toBe(1);

  await first.kill('SIGKILL');
  const killedAt = Date.now();
  stack.provider.release();
  await stack.startWorker({ identity: 'worker-after-kill-in-line' });
  for (const task of tasks) expect((await stack.waitForTask(account, task, { timeoutMs: 120_000 })).state).toBe('SUCCESS');
  reportRecovery('worker killed with a call in flight and two waiting', killedAt);

  // Nothing is left in the line or holding a slot, and the account's next tasks get all its slots.
  expect(await stack.prisma.aiCallSlot.count({ where: { accountId: account.accountId } })).toBe(0);
  await stack.prisma.account.update({ where: { id: account.accountId }, data: { maxConcurrentAiCalls: 2 } });
  stack.provider.settings({ defaultDelayMs: 1_500 });
  const later = [await startContent(stack, account, 'Later one'), await startContent(stack, account, 'Later two')];
  for (const task of later) expect((await stack.waitForTask(account, task)).state).toBe('SUCCESS');
  const laterCalls = stack.provider.requests({ path: '/v1/chat/completions' }).slice(-2);
  // Both later calls ran at once: the account's two slots were both free.
  expect(Math.abs(laterCalls[0].at - laterCalls[1].at)).toBeLessThan(1_500);
});

async function waitFor(check: () => Promise<boolean>, timeoutMs = 60_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error('condition not reached in time');
    await new Promise((r) => setTimeout(r, 200));
  }
}
