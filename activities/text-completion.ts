import { Context } from '@temporalio/activity';
import type { CompletionRef, CompletionUsage } from '../pipeline/run-io';
import { textCost } from './pricing';
import type { ActivityDeps } from './deps';
import { loadTextModelSettings } from './settings/text-model';
import { requestTextCompletion } from './openai-client';
import { invalidInputError } from './failures';
import { TextEventPublisher } from './live-progress';
import { DEFAULT_SLOT_POLICY, holdSlot } from './ai-call-slots';
import { throttledHeartbeat } from './heartbeat';
import { traceProviderCall } from '../tracing/provider-call';
import { conversationOf } from './reasks';

const DEFAULT_IDLE_TIMEOUT_MS = 60_000;

/**
 * AI_CALL for every text function: sends the prompt PREP stored, stores the answer beside it.
 * Settings are read afresh on every attempt, so a run reset after fixing them uses the new ones.
 * An answer already stored (the worker died after the call, before Temporal heard of it) is reused:
 * the provider is not paid twice.
 */
export function createCompletionActivities(deps: ActivityDeps, streamsText: (functionName: string) => boolean) {
  const { prisma } = deps;

  async function requestCompletion(ref: CompletionRef): Promise<CompletionUsage> {
    const where = { taskId_itemKey: { taskId: ref.taskId, itemKey: ref.itemKey } };
    const request = await prisma.aIRequest.findUnique({ where });
    if (!request) throw invalidInputError(`No prepared AI request for ${ref.taskId}/${ref.itemKey}.`);
    if (request.responseText !== null) return usageOf(request);

    const settings = await loadTextModelSettings(prisma, ref.accountId);
    // A corrective re-ask continues the item's conversation: its first prompt, the answers, the corrections.
    const messages = await conversationOf(prisma, ref.taskId, ref.itemKey, request.prompt);
    const context = Context.current();
    const heartbeat = throttledHeartbeat(context);
    const slot = holdSlot(prisma, deps.slots ?? DEFAULT_SLOT_POLICY, ref);
    const liveText = streamsText(request.functionName)
      ? new TextEventPublisher(prisma, ref.taskId, ref.itemKey, context.info.attempt, (err) =>
          context.log.warn('A live text event could not be published', { error: err instanceof Error ? err.message : String(err) }),
        )
      : undefined;
    try {
      // Inside the try: a claim that fails (the database away) stops the renewals and heartbeats too.
      await slot.claimed;
      // Every text provider speaks OpenAI's API (a self-hosted one too).
      const answer = await traceProviderCall({ operation: 'chat', system: 'openai', model: settings.model, taskId: ref.taskId }, async (call) => {
        const answer = await requestTextCompletion({
          settings,
          prompt: request.prompt,
          ...(messages.length > 1 ? { messages } : {}),
          signal: context.cancellationSignal,
          idleTimeoutMs: deps.providerIdleTimeoutMs ?? DEFAULT_IDLE_TIMEOUT_MS,
          onText: (piece, chars) => {
            heartbeat.beat({ chars });
            liveText?.add(piece);
          },
        });
        const cost = textCost(settings.rates, answer.inputTokens, answer.outputTokens);
        call.answered({ model: answer.model, inputTokens: answer.inputTokens, outputTokens: answer.outputTokens, costUsd: cost });
        return { ...answer, cost };
      });
      const saved = await prisma.aIRequest.update({
        where,
        data: {
          responseText: answer.text,
          model: answer.model,
          inputTokens: answer.inputTokens,
          outputTokens: answer.outputTokens,
          cost: answer.cost,
        },
      });
      return usageOf(saved);
    } finally {
      heartbeat.stop();
      slot.stop();
      // The last batch goes out before the step ends, so it precedes the next progress event.
      await liveText?.close();
    }
  }

  return { requestCompletion };
}

function usageOf(row: { model: string | null; inputTokens: number; outputTokens: number; cost: number; responseText: string | null }): CompletionUsage {
  return {
    model: row.model ?? '',
    inputTokens: row.inputTokens,
    outputTokens: row.outputTokens,
    cost: row.cost,
    answerChars: row.responseText?.length ?? 0,
  };
}
