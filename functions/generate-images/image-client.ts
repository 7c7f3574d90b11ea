import { randomUUID } from 'node:crypto';
import OpenAI from 'openai';
import { z } from 'zod';
import { RUNWARE_DEFAULT_BASE_URL, type ImageGenerationSettings } from '../../activities/settings/image-generation';
import { classifyProviderError, createOpenAIClient } from '../../activities/openai-client';
import { providerRejectedError, providerUnavailableError } from '../../activities/failures';

/**
 * Image providers: OpenAI through the `openai` SDK, Runware over HTTP. One
 * attempt per call: Temporal owns retries, and failures are classified by the same rules as text
 * calls (429 after its Retry-After, 5xx/timeouts/bodies that are not JSON retried, other 4xx final).
 */

export interface ImageRequest {
  settings: ImageGenerationSettings;
  prompt: string;
  /** Only Runware takes one; OpenAI's image API has no negative prompt. */
  negativePrompt: string;
  /** Activity cancellation: aborts the HTTP request and is rethrown as its reason (Temporal's CancelledFailure). */
  signal?: AbortSignal;
  timeoutMs: number;
}

export interface ImageAnswer {
  /** Absent when the provider answered without an image: PARSE reports it. */
  imageUrl?: string;
  model: string;
  /** The provider's own price for the image, when it reports one (Runware's `includeCost`). */
  reportedCost?: number;
  revisedPrompt?: string;
}

export async function requestImageGeneration(request: ImageRequest): Promise<ImageAnswer> {
  switch (request.settings.provider) {
    case 'openai':
      return requestOpenAIImage(request);
    case 'runware':
      return requestRunwareImage(request);
    default:
      return assertUnreachable(request.settings.provider);
  }
}

// Longest prompts the providers accept; a longer template-filled prompt is cut rather than refused.
const OPENAI_PROMPT_LIMITS: Record<string, number> = { 'dall-e-2': 1000, 'dall-e-3': 4000 };
const OPENAI_DEFAULT_PROMPT_LIMIT = 32_000;
const RUNWARE_PROMPT_LIMIT = 3000;

const OPENAI_OUTPUT_FORMATS = { webp: 'webp', jpg: 'jpeg', png: 'png' } as const;

async function requestOpenAIImage({ settings, prompt, signal, timeoutMs }: ImageRequest): Promise<ImageAnswer> {
  const client = createOpenAIClient(settings);
  let response: OpenAI.ImagesResponse;
  try {
    response = await client.images.generate(
      {
        model: settings.model,
        prompt: clip(prompt, OPENAI_PROMPT_LIMITS[settings.model] ?? OPENAI_DEFAULT_PROMPT_LIMIT),
        size: settings.size,
        n: 1,
        // Only the gpt-image models choose a format; DALL·E refuses the parameter.
        ...(settings.model.startsWith('gpt-image') ? { output_format: OPENAI_OUTPUT_FORMATS[settings.imageFormat] } : {}),
      },
      { signal, timeout: timeoutMs },
    );
  } catch (err) {
    if (signal?.aborted) throw signal.reason ?? err;
    throw classifyProviderError(err);
  }
  const image = response.data?.[0];
  // gpt-image models answer with the bytes only; the row then holds them as a data URL.
  const imageUrl = image?.url ?? (image?.b64_json ? `data:image/${OPENAI_OUTPUT_FORMATS[settings.imageFormat]};base64,${image.b64_json}` : undefined);
  return { imageUrl, model: settings.model, revisedPrompt: image?.revised_prompt ?? undefined };
}

const RUNWARE_OUTPUT_FORMATS = { webp: 'WEBP', jpg: 'JPG', png: 'PNG' } as const;

const runwareAnswerSchema = z.looseObject({
  data: z
    .array(
      z.looseObject({
        taskType: z.string().optional(),
        taskUUID: z.string().optional(),
        imageURL: z.string().optional(),
        cost: z.number().optional(),
      }),
    )
    .optional(),
  errors: z.array(z.looseObject({ code: z.string().optional(), message: z.string().optional() })).optional(),
});

/**
 * One POST of Runware's task array: the authentication task carries the key (Runware's way), the
 * inference task the prompt. The key travels only in this request body.
 */
async function requestRunwareImage({ settings, prompt, negativePrompt, signal, timeoutMs }: ImageRequest): Promise<ImageAnswer> {
  const taskUUID = randomUUID();
  const negative = clip(negativePrompt.trim(), RUNWARE_PROMPT_LIMIT);
  const tasks = [
    { taskType: 'authentication', apiKey: settings.apiKey },
    {
      taskType: 'imageInference',
      taskUUID,
      positivePrompt: clip(prompt, RUNWARE_PROMPT_LIMIT),
      // Runware refuses a negative prompt shorter than two characters.
      ...(negative.length >= 2 ? { negativePrompt: negative } : {}),
      model: settings.model,
      width: settings.rates.width,
      height: settings.rates.height,
      outputFormat: RUNWARE_OUTPUT_FORMATS[settings.imageFormat],
      includeCost: true,
      numberResults: 1,
    },
  ];
  const timeout = AbortSignal.timeout(timeoutMs);
  let status: number;
  let headers: Headers;
  let text: string;
  try {
    const response = await fetch(settings.baseUrl ?? RUNWARE_DEFAULT_BASE_URL, {
      method: 'POST',
      headers: { 'content-type': 'application/json', accept: 'application/json' },
      body: JSON.stringify(tasks),
      signal: signal ? AbortSignal.any([signal, timeout]) : timeout,
    });
    status = response.status;
    headers = response.headers;
    text = await response.text();
  } catch (err) {
    if (signal?.aborted) throw signal.reason ?? err;
    if (timeout.aborted) throw providerUnavailableError(`Runware did not answer within ${timeoutMs / 1000} s; the call was abandoned.`);
    throw providerUnavailableError(`Runware could not be reached: ${networkReason(err)}`);
  }

  const body = parseJson(text);
  const answer = runwareAnswerSchema.safeParse(body);
  const firstError = answer.success ? answer.data.errors?.[0] : undefined;
  const detail = firstError ? [firstError.code, firstError.message].filter(Boolean).join(': ') : `HTTP ${status}`;
  if (status < 200 || status >= 300) {
    // The SDK's error type carries status and headers, so Runware's failures follow the same rules.
    throw classifyProviderError(new OpenAI.APIError(status, { message: `Runware: ${detail}` }, undefined, headers));
  }
  if (body === undefined || !answer.success) {
    throw providerUnavailableError(`Runware's answer was not the JSON of its task API (HTTP ${status}).`);
  }
  const results = answer.data.data ?? [];
  const result = results.find((r) => r.taskUUID === taskUUID && r.imageURL) ?? results.find((r) => r.imageURL);
  if (!result && firstError) throw providerRejectedError(`Runware rejected the image task: ${detail}`);
  return { imageUrl: result?.imageURL, model: settings.model, reportedCost: result?.cost };
}

function parseJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
}

function networkReason(err: unknown): string {
  const cause = err instanceof Error && err.cause instanceof Error ? err.cause.message : undefined;
  const message = err instanceof Error ? err.message : String(err);
  return cause ? `${message} (${cause})` : message;
}

function clip(text: string, max: number): string {
  return text.length <= max ? text : text.slice(0, max);
}

function assertUnreachable(value: never): never {
  throw new Error(`Unexpected image provider: ${String(value)}`);
}
