import { MockActivityEnvironment } from '@temporalio/testing';
import type { ActivityDeps } from '../../activities';
import { createActivities } from '../../worker/activities';
import { bindProviderHosts } from '../../activities/provider-host-scope';
import type { PipelineFunction } from '../../pipeline/definition';
import type { CompletionUsage, PreparedRun, RunInput, SavedOutput } from '../../pipeline/run-io';
import { ProgressState } from '../../pipeline/progress-state';

type Step = (...args: unknown[]) => Promise<unknown>;

/**
 * The peers' pipeline: the same activities the workflow runs (same prompts, provider call, parsing
 * and database work, the same run record at the end), called one after another in this process
 * with no durable execution around them. `report` receives the progress a queue would publish.
 */
export function createDirectPipeline(deps: ActivityDeps) {
  const created = createActivities(deps);
  // As the worker does: the operator's provider hosts around every activity.
  const activities = (deps.providerHosts ? bindProviderHosts(created, deps.providerHosts) : created) as unknown as Record<string, Step>;

  return async function runDirect(definition: PipelineFunction, input: RunInput, report: (phase: string, percentage: number) => Promise<void> = async () => {}) {
    const started = Date.now();
    const progress = new ProgressState();
    const names = definition.activities;
    const enter = async (phase: Parameters<ProgressState['enter']>[0]) => {
      progress.enter(phase);
      await report(phase, progress.snapshot().meta.percentage);
    };
    // The AI call reads its heartbeat and cancellation from an activity context.
    const context = new MockActivityEnvironment({ attempt: 1 });

    await enter('INIT');
    await progress.step('request', 'Validate input', () => activities[names.validate](input));
    await enter('PREP');
    const prepared = (await progress.step('request', 'Build prompt', () => activities[names.prepare](input))) as PreparedRun;
    await enter('AI_CALL');
    const refOf = (itemKey: string) => ({ taskId: input.taskId, itemKey, accountId: input.accountId });
    for (const request of prepared.requests) {
      const usage = (await progress.step('request', `AI request: ${request.label}`, () =>
        context.run(activities[names.call] as (ref: unknown) => Promise<CompletionUsage>, refOf(request.itemKey)),
      )) as CompletionUsage;
      progress.addUsage(usage.cost, usage.inputTokens + usage.outputTokens);
    }
    await enter('PARSE');
    for (const request of prepared.requests) {
      await progress.step('response', `Parse answer: ${request.label}`, () => activities[names.parse](refOf(request.itemKey)));
    }
    await enter('SAVE');
    let count = 0;
    for (const request of prepared.requests) {
      const saved = (await progress.step('response', `Save: ${request.label}`, () => activities[names.save](input, request))) as SavedOutput;
      count += saved.count;
    }
    await enter('DONE');
    const { meta } = progress.snapshot();
    await activities.completeRunRecord({
      taskId: input.taskId,
      status: 'success',
      phase: meta.phase,
      message: meta.message,
      durationMs: Date.now() - started,
      cost: meta.cost,
      tokens: meta.tokens,
      requestSteps: meta.request_steps,
      responseSteps: meta.response_steps,
      result: { count, items: prepared.requests.map((request) => ({ id: request.itemId ?? request.itemKey, status: 'success' as const })) },
    });
    return { count };
  };
}

export type DirectPipeline = ReturnType<typeof createDirectPipeline>;
