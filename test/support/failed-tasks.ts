import type { TestAccount, TestStack } from './stack';

/** Keywords of an account, for a clustering run to take. */
export async function keywordsFor(stack: TestStack, account: TestAccount, words: string[]): Promise<number[]> {
  const answer = await stack.api('POST', '/api/v1/planner/keywords/', { key: account.apiKey, body: { keywords: words.map((keyword) => ({ keyword, volume: 100 })) } });
  if (answer.status !== 200) throw new Error(`adding keywords answered ${answer.status}: ${JSON.stringify(answer.body)}`);
  return answer.body.ids;
}

export async function startClustering(stack: TestStack, account: TestAccount, ids: number[]): Promise<string> {
  const answer = await stack.api('POST', '/api/v1/planner/keywords/auto_cluster/', { key: account.apiKey, body: { ids } });
  if (answer.status !== 200) throw new Error(`auto_cluster answered ${answer.status}: ${JSON.stringify(answer.body)}`);
  return answer.body.task_id;
}

/**
 * Clustering tasks that fail at INIT: the account has no provider settings (configuring them
 * afterwards makes a retry or a reset of these succeed). Answers their ids once all have ended.
 */
export async function failedTasks(stack: TestStack, account: TestAccount, count: number): Promise<string[]> {
  const ids = await keywordsFor(stack, account, ['fails first', 'fails second']);
  const taskIds = await Promise.all(Array.from({ length: count }, () => startClustering(stack, account, ids)));
  for (const taskId of taskIds) {
    const seen = await stack.waitForTask(account, taskId);
    const last = seen[seen.length - 1];
    if (last.state !== 'FAILURE' || last.meta.phase !== 'INIT') throw new Error(`task ${taskId} was to fail at INIT: ${JSON.stringify(last)}`);
  }
  return taskIds;
}
