import { startTestStack, type TestStack } from './support/stack';

/**
 * A run whose steps free a slot tells the run granted it at once (a signal), also from its very
 * last steps: the run granted the slot does not wait for its next check of the line.
 */
let stack: TestStack;

beforeAll(async () => {
  stack = await startTestStack();
});

afterAll(async () => {
  await stack?.stop();
});

it('tasks waiting behind another task of their account are told when its slot is theirs, even by its last step', async () => {
  const account = await stack.createAccount('One At A Time', { maxConcurrentAiCalls: 1 });
  await stack.configureOpenAI(account);
  stack.provider.enqueue({ path: '/v1/chat/completions', match: 'Woken', delayMs: 500, times: 3 } as never);
  const taskIds: string[] = [];
  for (let i = 0; i < 3; i++) {
    const created = await stack.api('POST', '/api/v1/writer/tasks/', { key: account.apiKey, body: { tasks: [{ title: `Woken Article ${i}`, description: 'x', keywords: 'y' }] } });
    const started = await stack.api('POST', '/api/v1/writer/tasks/auto_generate_content/', { key: account.apiKey, body: { ids: created.body.ids } });
    expect(started.status).toBe(200);
    taskIds.push(started.body.task_id);
  }
  for (const taskId of taskIds) await stack.temporal.workflow.getHandle(taskId).result();

  // The tasks that waited were each told by a signal; none took its slot on its own later check.
  const signalled = async (taskId: string) => {
    const history = await stack.temporal.workflow.getHandle(taskId).fetchHistory();
    return (history.events ?? []).filter((e) => e.workflowExecutionSignaledEventAttributes?.signalName === 'aiCallSlotGranted').length;
  };
  // One task had the slot first (whichever started its calls first); the other two were each told once.
  const told = await Promise.all(taskIds.map(signalled));
  expect([...told].sort()).toEqual([0, 1, 1]);
  // Both words were delivered by the tasks that freed the slot, as they ended.
  const sent = await Promise.all(
    taskIds.map(async (taskId) => {
      const history = await stack.temporal.workflow.getHandle(taskId).fetchHistory();
      return (history.events ?? []).filter((e) => e.externalWorkflowExecutionSignaledEventAttributes).length;
    }),
  );
  expect(sent.reduce((a, b) => a + b, 0)).toBe(2);
});
