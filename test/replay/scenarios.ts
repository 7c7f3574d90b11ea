import type { TaskProgress } from '../../pipeline/progress';
import type { TestAccount, TestStack } from '../support/stack';
import type { RecordedNames } from './generations';

/** One recorded history: what it shows and how to produce it through the API. */
export interface RecordedScenario extends RecordedNames {
  /** Runs the scenario to its end and returns the task id (the workflow id). */
  run(stack: TestStack): Promise<string>;
}

async function finalState(stack: TestStack, account: TestAccount, taskId: string): Promise<TaskProgress> {
  const seen = await stack.waitForTask(account, taskId);
  return seen[seen.length - 1];
}

async function start(stack: TestStack, account: TestAccount, path: string, body: unknown): Promise<string> {
  const answer = await stack.api('POST', path, { key: account.apiKey, body });
  if (answer.status !== 200) throw new Error(`start ${path} answered ${answer.status}: ${JSON.stringify(answer.body)}`);
  return answer.body.task_id;
}

async function keywords(stack: TestStack, account: TestAccount): Promise<number[]> {
  const answer = await stack.api('POST', '/api/v1/planner/keywords/', {
    key: account.apiKey,
    body: { keywords: ['trail running shoes', 'best trail running shoes', 'marathon training plan'].map((keyword) => ({ keyword, volume: 100 })) },
  });
  return answer.body.ids;
}

async function writerTasks(stack: TestStack, account: TestAccount, titles: string[]): Promise<number[]> {
  const answer = await stack.api('POST', '/api/v1/writer/tasks/', {
    key: account.apiKey,
    body: { tasks: titles.map((title) => ({ title, description: `About ${title}`, keywords: title, content_type: 'blog_post', content_structure: 'supporting_page' })) },
  });
  return answer.body.ids;
}

function expectState(progress: TaskProgress, state: TaskProgress['state']): void {
  if (progress.state !== state) throw new Error(`expected ${state}, got ${progress.state}: ${progress.error ?? ''}`);
}

export const RECORDED_SCENARIOS: RecordedScenario[] = [
  {
    name: 'auto-cluster-success',
    async run(stack) {
      const account = await stack.createAccount();
      await stack.configureOpenAI(account);
      const taskId = await start(stack, account, '/api/v1/planner/keywords/auto_cluster/', { ids: await keywords(stack, account) });
      expectState(await finalState(stack, account, taskId), 'SUCCESS');
      return taskId;
    },
  },
  {
    name: 'auto-cluster-failure-missing-settings',
    async run(stack) {
      const account = await stack.createAccount();
      const taskId = await start(stack, account, '/api/v1/planner/keywords/auto_cluster/', { ids: await keywords(stack, account) });
      expectState(await finalState(stack, account, taskId), 'FAILURE');
      return taskId;
    },
  },
  {
    name: 'auto-cluster-cancelled',
    async run(stack) {
      const account = await stack.createAccount();
      await stack.configureOpenAI(account);
      stack.provider.enqueue({ hang: true, path: '/v1/chat/completions' });
      const taskId = await start(stack, account, '/api/v1/planner/keywords/auto_cluster/', { ids: await keywords(stack, account) });
      for (let i = 0; i < 200; i++) {
        const progress = await stack.api('GET', `/api/v1/system/settings/task_progress/${taskId}/`, { key: account.apiKey });
        if (progress.body.meta?.phase === 'AI_CALL') break;
        await new Promise((r) => setTimeout(r, 50));
      }
      await stack.api('POST', `/api/v1/system/tasks/${taskId}/cancel/`, { key: account.apiKey });
      expectState(await finalState(stack, account, taskId), 'REVOKED');
      return taskId;
    },
  },
  {
    name: 'generate-content-batch-with-failed-item',
    async run(stack) {
      const account = await stack.createAccount();
      await stack.configureOpenAI(account);
      const ids = await writerTasks(stack, account, ['Choosing trail shoes', 'A refused article', 'Marathon week one']);
      stack.provider.enqueue({ status: 400, match: 'A refused article', message: 'This request was refused.' });
      const taskId = await start(stack, account, '/api/v1/writer/tasks/auto_generate_content/', { ids });
      const final = await finalState(stack, account, taskId);
      expectState(final, 'SUCCESS');
      if (!final.result?.items.some((i) => i.status === 'failed')) throw new Error('expected one failed item');
      return taskId;
    },
  },
  {
    name: 'generate-ideas-success',
    async run(stack) {
      const account = await stack.createAccount();
      await stack.configureOpenAI(account);
      const clustering = await start(stack, account, '/api/v1/planner/keywords/auto_cluster/', { ids: await keywords(stack, account) });
      expectState(await finalState(stack, account, clustering), 'SUCCESS');
      const clusters = await stack.api('GET', '/api/v1/planner/clusters/', { key: account.apiKey });
      const taskId = await start(stack, account, '/api/v1/planner/clusters/auto_generate_ideas/', { ids: clusters.body.results.map((c: { id: number }) => c.id) });
      expectState(await finalState(stack, account, taskId), 'SUCCESS');
      return taskId;
    },
  },
  {
    name: 'generate-content-waiting-for-slots',
    async run(stack) {
      // One AI call at a time for the account: the second and third items wait for the slot.
      const account = await stack.createAccount(undefined, { maxConcurrentAiCalls: 1 });
      await stack.configureOpenAI(account);
      const ids = await writerTasks(stack, account, ['Choosing trail shoes', 'Marathon week one', 'Recovery runs']);
      stack.provider.enqueue({ delayMs: 300, path: '/v1/chat/completions' });
      const taskId = await start(stack, account, '/api/v1/writer/tasks/auto_generate_content/', { ids });
      expectState(await finalState(stack, account, taskId), 'SUCCESS');
      return taskId;
    },
  },
  {
    name: 'generate-content-insufficient-credits',
    async run(stack) {
      const account = await stack.createAccount(undefined, { credits: 0 });
      await stack.configureOpenAI(account);
      const taskId = await start(stack, account, '/api/v1/writer/tasks/auto_generate_content/', { ids: await writerTasks(stack, account, ['Choosing trail shoes']) });
      expectState(await finalState(stack, account, taskId), 'FAILURE');
      return taskId;
    },
  },
  {
    name: 'generate-content-reask',
    async run(stack) {
      // The first answer for the first article is empty: the model is asked again, and answers.
      const account = await stack.createAccount();
      await stack.configureOpenAI(account);
      const ids = await writerTasks(stack, account, ['Choosing trail shoes', 'Marathon week one']);
      stack.provider.enqueue({ path: '/v1/chat/completions', match: 'Choosing trail shoes', content: ' ' });
      const taskId = await start(stack, account, '/api/v1/writer/tasks/auto_generate_content/', { ids });
      expectState(await finalState(stack, account, taskId), 'SUCCESS');
      return taskId;
    },
  },
  {
    name: 'generate-content-slot-handed-on',
    async run(stack) {
      // Two tasks, one slot: the task that has it hands it on as it ends (the recorded one).
      const account = await stack.createAccount(undefined, { maxConcurrentAiCalls: 1 });
      await stack.configureOpenAI(account);
      stack.provider.enqueue({ delayMs: 300, path: '/v1/chat/completions', times: 2 });
      const taskIds: string[] = [];
      for (const title of ['Choosing trail shoes', 'Marathon week one']) {
        taskIds.push(await start(stack, account, '/api/v1/writer/tasks/auto_generate_content/', { ids: await writerTasks(stack, account, [title]) }));
      }
      for (const taskId of taskIds) expectState(await finalState(stack, account, taskId), 'SUCCESS');
      for (const taskId of taskIds) {
        const history = await stack.temporal.workflow.getHandle(taskId).fetchHistory();
        if ((history.events ?? []).some((e) => e.externalWorkflowExecutionSignaledEventAttributes)) return taskId;
      }
      throw new Error('neither task handed its slot on');
    },
  },
  {
    name: 'auto-generate-images-success',
    children: 2,
    async run(stack) {
      const account = await stack.createAccount();
      await stack.configureOpenAI(account);
      const ids = await writerTasks(stack, account, ['Choosing trail shoes']);
      const content = await start(stack, account, '/api/v1/writer/tasks/auto_generate_content/', { ids });
      expectState(await finalState(stack, account, content), 'SUCCESS');
      const settings = { provider: 'openai', model: 'dall-e-3', size: '1024x1024', max_in_article_images: 1, desktop_enabled: true, mobile_enabled: false };
      await stack.api('PUT', '/api/v1/system/settings/integrations/image_generation/', { key: account.apiKey, body: { config: settings, is_active: true } });
      const taskId = await start(stack, account, '/api/v1/writer/tasks/auto_generate_images/', { ids });
      expectState(await finalState(stack, account, taskId), 'SUCCESS');
      return taskId;
    },
  },
];
