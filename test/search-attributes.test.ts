import { AI_ACCOUNT, AI_FUNCTION, AI_PHASE, AI_STATE } from '../pipeline/search-attributes';
import { startTestStack, type TestAccount, type TestStack } from './support/stack';

/**
 * An engineer finds runs in the Web UI by account, function, phase and state: the Web UI lists them
 * with a visibility query on the search attributes, as `client.workflow.list` does here.
 */
let stack: TestStack;
let writer: TestAccount;
let unconfigured: TestAccount;
let succeeded: string[];
let running: string;
let failed: string;

const VISIBILITY_WAIT_MS = 15_000;

/** The ids of the runs a query lists, among this suite's runs (the dev server is shared). */
async function listIds(query: string): Promise<string[]> {
  const ids: string[] = [];
  for await (const run of stack.temporal.workflow.list({ query: `${query} AND TaskQueue = "${stack.taskQueue}"` })) ids.push(run.workflowId);
  return ids.sort();
}

/** Visibility is eventually consistent: polls briefly until the query lists exactly `expected`. */
async function expectListed(query: string, expected: string[]): Promise<void> {
  const wanted = [...expected].sort();
  const deadline = Date.now() + VISIBILITY_WAIT_MS;
  let listed = await listIds(query);
  while (JSON.stringify(listed) !== JSON.stringify(wanted) && Date.now() < deadline) {
    await new Promise((r) => setTimeout(r, 200));
    listed = await listIds(query);
  }
  expect({ query, listed }).toEqual({ query, listed: wanted });
}

async function start(owner: TestAccount, path: string, ids: number[]): Promise<string> {
  const answer = await stack.api('POST', path, { key: owner.apiKey, body: { ids } });
  expect(answer.status).toBe(200);
  return answer.body.task_id;
}

async function keywordIds(owner: TestAccount, words: string[]): Promise<number[]> {
  const body = { keywords: words.map((keyword) => ({ keyword, volume: 100, difficulty: 10, intent: 'informational' })) };
  const answer = await stack.api('POST', '/api/v1/planner/keywords/', { key: owner.apiKey, body });
  expect(answer.status).toBe(200);
  return answer.body.ids;
}

beforeAll(async () => {
  stack = await startTestStack();
  writer = await stack.createAccount('Findable runs');
  await stack.configureOpenAI(writer);
  unconfigured = await stack.createAccount('No settings');

  const first = await start(writer, '/api/v1/planner/keywords/auto_cluster/', await keywordIds(writer, ['kayak paddles', 'paddle length chart']));
  const second = await start(writer, '/api/v1/planner/keywords/auto_cluster/', await keywordIds(writer, ['sea kayak', 'kayak storage']));
  for (const taskId of [first, second]) expect((await stack.waitForTask(writer, taskId)).at(-1)!.state).toBe('SUCCESS');
  succeeded = [first, second];

  // generate_ideas for an account without OpenAI settings fails at INIT.
  const sector = await stack.prisma.sector.findUniqueOrThrow({ where: { id: unconfigured.sectorId } });
  const cluster = await stack.prisma.cluster.create({
    data: { accountId: unconfigured.accountId, siteId: sector.siteId, sectorId: sector.id, name: 'Canoe trips' },
  });
  failed = await start(unconfigured, '/api/v1/planner/clusters/auto_generate_ideas/', [cluster.id]);
  expect((await stack.waitForTask(unconfigured, failed)).at(-1)!.state).toBe('FAILURE');

  // One run held in its AI call, to be found while it runs.
  stack.provider.enqueue({ delayMs: 6_000, match: 'whitewater helmet' });
  running = await start(writer, '/api/v1/planner/keywords/auto_cluster/', await keywordIds(writer, ['whitewater helmet', 'river shoes']));
});

afterAll(async () => {
  await stack?.stop();
});

// First, while the provider still holds its call.
test('a running run is listed by its state and the phase it is in', async () => {
  await expectListed(`AiState = "PROGRESS" AND AiPhase = "AI_CALL"`, [running]);
  expect((await stack.waitForTask(writer, running)).at(-1)!.state).toBe('SUCCESS');
  await expectListed(`AiState = "PROGRESS"`, []);
});

test('runs are listed by account', async () => {
  await expectListed(`AiAccount = "${writer.accountId}"`, [...succeeded, running]);
  await expectListed(`AiAccount = "${unconfigured.accountId}"`, [failed]);
});

test('runs are listed by function and account', async () => {
  await expectListed(`AiFunction = "auto_cluster" AND AiAccount = "${writer.accountId}"`, [...succeeded, running]);
  await expectListed(`AiFunction = "generate_ideas"`, [failed]);
  await expectListed(`AiFunction = "generate_ideas" AND AiAccount = "${writer.accountId}"`, []);
});

test('finished runs are listed by state and phase: successes at DONE, failures at the phase that failed', async () => {
  await expectListed(`AiState = "SUCCESS" AND AiPhase = "DONE"`, [...succeeded, running]);
  await expectListed(`AiState = "FAILURE"`, [failed]);
  await expectListed(`AiState = "FAILURE" AND AiPhase = "INIT" AND AiAccount = "${unconfigured.accountId}"`, [failed]);
});

test("a listed run carries all four attributes with the run's values", async () => {
  await expectListed(`WorkflowId = "${failed}" AND AiState = "FAILURE"`, [failed]);
  const listed = [];
  for await (const run of stack.temporal.workflow.list({ query: `WorkflowId = "${failed}"` })) listed.push(run);
  expect(listed).toHaveLength(1);
  const [run] = listed;
  expect(run.type).toBe('generateIdeasWorkflow');
  expect(run.typedSearchAttributes.get(AI_ACCOUNT)).toBe(String(unconfigured.accountId));
  expect(run.typedSearchAttributes.get(AI_FUNCTION)).toBe('generate_ideas');
  expect(run.typedSearchAttributes.get(AI_PHASE)).toBe('INIT');
  expect(run.typedSearchAttributes.get(AI_STATE)).toBe('FAILURE');
});
