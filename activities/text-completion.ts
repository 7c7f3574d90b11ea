import { Context } from '@temporalio/activity';
import type { CompletionRef, CompletionUsage } from '../pipeline/run-io';
import { textCost } from './pricing';
import type { ActivityDeps } from './deps';
import { loadTextModelSettings } from './settings/text-model';
import { requestTextCompletion } from './openai-client';
import { invalidInputError } from './failures';
import { TextEventPublisher } from './live-progress';

const DEFAULT_IDLE_TIMEOUT_MS = 60_000;
const HEARTBEAT_EVERY_MS = 2_000;
/** The functions whose answer is an article a reader watches being written (the stream's `text` events). */
const STREAMED_TEXT_FUNCTIONS = new Set(['generate_content']);

/**
 * AI_CALL for every text function: sends the prompt PREP stored, stores the answer beside it.
 * Settings are read afresh on every attempt, so a run reset after fixing them uses the new ones.
 * An answer already stored (the worker died after the call, before Temporal heard of it) is reused:
 * the provider is not paid twice.
 */
export function createCompletionActivities(deps: ActivityDeps) {
  const { prisma } = deps;

  async function requestCompletion(ref: CompletionRef): Promise<CompletionUsage> {
    const where = { taskId_itemKey: { taskId: ref.taskId, itemKey: ref.itemKey } };
    const request = await prisma.aIRequest.findUnique({ where });
    if (!request) throw invalidInputError(`No prepared AI request for ${ref.taskId}/${ref.itemKey}.`);
    if (request.responseText !== null) return usageOf(request);

    const settings = await loadTextModelSettings(prisma, ref.accountId);
    const context = Context.current();
    const beat = setInterval(() => context.heartbeat({ phase: 'waiting' }), HEARTBEAT_EVERY_MS);
    const liveText = STREAMED_TEXT_FUNCTIONS.has(request.functionName)
      ? new TextEventPublisher(prisma, ref.taskId, ref.itemKey, context.info.attempt, (err) =>
          context.log.warn('A live text event could not be published', { error: err instanceof Error ? err.message : String(err) }),
        )
      : undefined;
    try {
      const answer = await requestTextCompletion({
        settings,
        prompt: request.prompt,
        signal: context.cancellationSignal,
        idleTimeoutMs: deps.providerIdleTimeoutMs ?? DEFAULT_IDLE_TIMEOUT_MS,
        onText: (piece, chars) => {
          context.heartbeat({ chars });
          liveText?.add(piece);
        },
      });
      const saved = await prisma.aIRequest.update({
        where,
        data: {
          responseText: answer.text,
          model: answer.model,
          inputTokens: answer.inputTokens,
          outputTokens: answer.outputTokens,
          cost: textCost(settings.rates, answer.inputTokens, answer.outputTokens),
        },
      });
      return usageOf(saved);
    } finally {
      clearInterval(beat);
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
