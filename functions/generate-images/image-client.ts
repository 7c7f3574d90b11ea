import { randomUUID } from 'node:crypto';
import OpenAI from 'openai';
import { z } from 'zod';
import { RUNWARE_DEFAULT_BASE_URL, type ImageGenerationSettings } from '../../activities/settings/image-generation';
import { classifyProviderError, createOpenAIClient, guardFailureOf, networkReason } from '../../activities/openai-client';
import { providerRejectedError, providerUnavailableError } from '../../activities/failures';
import { MAX_IMAGE_DATA_BYTES, MAX_IMAGE_JSON_BYTES } from '../../activities/provider-answer-caps';
import { providerFetch } from '../../activities/provider-fetch';
import { currentProviderHosts } from '../../activities/provider-host-scope';
import { providerErrorCode, redactSecrets } from '../../activities/provider-redaction';
import { assertBaseUrlAllowed } from '../../activities/settings/provider-base-url';
import { imageCost } from '../../activities/pricing';
import { traceProviderCall } from '../../tracing/provider-call';

/**
 * Image providers: OpenAI through the `openai` SDK, Runware over HTTP, both through the provider
 * HTTP client (host policy at connect time, no redirects, answers capped). One attempt per call:
 * Temporal owns retries, and failures are classified by the same rules as text calls (429 after its
 * Retry-After, 5xx/timeouts/bodies that are not JSON retried, other 4xx final), naming the status
 * and the provider's error code, never its text.
 */

export interface ImageRequest {
  settings: ImageGenerationSettings;
  prompt: string;
  /** Only Runware takes one; OpenAI's image API has no negative prompt. */
  negativePrompt: string;
  /** Activity cancellation: aborts the HTTP request and is rethrown as its reason (Temporal's CancelledFailure). */
  signal?: AbortSignal;
  timeoutMs: number;
  /** The task the image is drawn for, named on the call's trace span. */
  taskId?: string;
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
  const { settings } = request;
  return traceProviderCall({ operation: 'image_generation', system: settings.provider, model: settings.model, taskId: request.taskId }, async (call) => {
    const answer = await requestImageFrom(request);
    call.answered({ model: answer.model, costUsd: imageCost(settings.rates, answer.reportedCost) });
    return answer;
  });
}

function requestImageFrom(request: ImageRequest): Promise<ImageAnswer> {
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
  // gpt-image models answer with the image itself, base64 in the JSON.
  const client = createOpenAIClient(settings, { maxResponseBytes: MAX_IMAGE_DATA_BYTES });
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
    throw classifyProviderError(err, [settings.apiKey]);
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
  const baseUrl = settings.baseUrl ?? RUNWARE_DEFAULT_BASE_URL;
  const hosts = currentProviderHosts();
  assertBaseUrlAllowed('runware', baseUrl, hosts, 'The Runware base URL');
  const post = providerFetch({ provider: 'runware', hosts, maxResponseBytes: MAX_IMAGE_JSON_BYTES });
  const keys = [settings.apiKey];
  const timeout = AbortSignal.timeout(timeoutMs);
  let status: number;
  let headers: Headers;
  let text: string;
  try {
    const response = await post(baseUrl, {
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
    throw guardFailureOf(err) ?? providerUnavailableError(`Runware could not be reached: ${redactSecrets(networkReason(err), keys)}`);
  }

  const body = parseJson(text);
  const answer = runwareAnswerSchema.safeParse(body);
  const firstError = answer.success ? answer.data.errors?.[0] : undefined;
  // Only the error's code: Runware's message may quote the request, key included.
  const code = providerErrorCode(firstError?.code, keys);
  if (status < 200 || status >= 300) {
    // The SDK's error type carries status, code and headers, so Runware's failures follow the same rules.
    throw classifyProviderError(new OpenAI.APIError(status, { code }, undefined, headers), keys);
  }
  if (body === undefined || !answer.success) {
    throw providerUnavailableError(`Runware's answer was not the JSON of its task API (HTTP ${status}).`);
  }
  const results = answer.data.data ?? [];
  const result = results.find((r) => r.taskUUID === taskUUID && r.imageURL) ?? results.find((r) => r.imageURL);
  if (!result && firstError) throw providerRejectedError(`Runware rejected the image task${code ? ` with error code '${code}'` : ''}.`);
  return { imageUrl: result?.imageURL, model: settings.model, reportedCost: result?.cost };
}

function parseJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
}

function clip(text: string, max: number): string {
  return text.length <= max ? text : text.slice(0, max);
}

function assertUnreachable(value: never): never {
  throw new Error(`Unexpected image provider: ${String(value)}`);
}
