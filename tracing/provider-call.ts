/**
 * A span per AI provider call, named and described by OpenTelemetry's GenAI conventions
 * (`chat gpt-4o-mini`, `gen_ai.*`), with what the service adds: the task it belongs to and what it
 * cost. A child of the activity's `RunActivity:…` span. Nothing at all when tracing is off.
 */
import type * as otel from '@opentelemetry/api';
import { activeTracing } from './index';

export interface ProviderCall {
  /** `gen_ai.operation.name`: `chat` for text, `image_generation` for images. */
  operation: 'chat' | 'image_generation';
  /** `gen_ai.system`: the provider (`openai`, `runware`). */
  system: string;
  /** `gen_ai.request.model`. */
  model: string;
  /** `ai_task.id`: the task (and workflow) id. */
  taskId?: string;
}

export interface ProviderUsage {
  /** `gen_ai.response.model`, when the provider names the model that answered. */
  model?: string;
  inputTokens?: number;
  outputTokens?: number;
  /** `ai_task.cost_usd`: what the call costs the account, by the service's pricing. */
  costUsd: number;
}

/** What a traced call reports once the provider has answered. */
export interface ProviderCallSpan {
  answered(usage: ProviderUsage): void;
}

const UNTRACED: ProviderCallSpan = { answered: () => undefined };

export async function traceProviderCall<T>(call: ProviderCall, run: (span: ProviderCallSpan) => Promise<T>): Promise<T> {
  if (!activeTracing()) return run(UNTRACED);
  // Loaded once tracing is on (tracing/sdk.ts has loaded it already).
  const { SpanKind, SpanStatusCode, trace } = require('@opentelemetry/api') as typeof otel;
  const tracer = trace.getTracer('ai-task-service');
  return tracer.startActiveSpan(
    `${call.operation} ${call.model}`,
    {
      kind: SpanKind.CLIENT,
      attributes: {
        'gen_ai.operation.name': call.operation,
        'gen_ai.system': call.system,
        'gen_ai.request.model': call.model,
        ...(call.taskId ? { 'ai_task.id': call.taskId } : {}),
      },
    },
    async (span) => {
      try {
        return await run({ answered: (usage) => recordUsage(span, usage) });
      } catch (err) {
        // The service's own failure messages name status and code, never the provider's text or a key.
        span.setStatus({ code: SpanStatusCode.ERROR, message: err instanceof Error ? err.message : String(err) });
        throw err;
      } finally {
        span.end();
      }
    },
  );
}

function recordUsage(span: otel.Span, usage: ProviderUsage): void {
  span.setAttributes({
    ...(usage.model ? { 'gen_ai.response.model': usage.model } : {}),
    ...(usage.inputTokens !== undefined ? { 'gen_ai.usage.input_tokens': usage.inputTokens } : {}),
    ...(usage.outputTokens !== undefined ? { 'gen_ai.usage.output_tokens': usage.outputTokens } : {}),
    'ai_task.cost_usd': usage.costUsd,
  });
}
