import type { ServerResponse } from 'node:http';
import { z } from 'zod';
import { shortHash } from './answers/text';
import { bearerToken, MALFORMED_BODY, type ErrorDetail, type ProviderEndpoint } from './endpoint';
import { sendJson } from './http-io';
import { imageFileName, type ImageFormat } from './image-files';

/** One entry of Runware's `errors` array. */
interface RunwareError {
  code: string;
  message: string;
  parameter?: string;
  taskType?: string;
  taskUUID?: string;
}

const RUNWARE_CODES: Record<number, string> = {
  400: 'invalidRequest',
  401: 'invalidApiKey',
  429: 'rateLimitExceeded',
  500: 'internalServerError',
  503: 'serviceUnavailable',
};

const dimension = z.number().int().min(128).max(2048).multipleOf(64);
const imageInferenceSchema = z.looseObject({
  taskType: z.literal('imageInference'),
  taskUUID: z.string().min(1),
  positivePrompt: z.string().min(2).max(3000),
  negativePrompt: z.string().optional(),
  model: z.string().min(1),
  width: dimension,
  height: dimension,
  outputFormat: z.enum(['JPG', 'PNG', 'WEBP', 'jpg', 'png', 'webp']).optional(),
  includeCost: z.boolean().optional(),
  numberResults: z.number().int().min(1).max(20).optional(),
});

/**
 * Runware's task API: `POST /v1` (or `/`) with a JSON array of tasks. Each task fails or succeeds on
 * its own, as Runware scopes errors to the task that caused them.
 */
export const runwareTasks: ProviderEndpoint = {
  sendError(res, status, detail) {
    const code = detail.code ?? RUNWARE_CODES[status] ?? 'requestFailed';
    sendRunwareErrors(res, status, [{ code, message: detail.message ?? `Request failed with status ${status}.` }], detail);
  },
  sendMalformed({ res }) {
    res.writeHead(200, { 'content-type': 'application/json', 'content-length': String(Buffer.byteLength(MALFORMED_BODY)) });
    res.end(MALFORMED_BODY);
  },
  answer(exchange) {
    const { body, res } = exchange;
    if (!Array.isArray(body)) {
      exchange.entry.outcome = 'rejected';
      sendRunwareErrors(res, 400, [{ code: 'invalidRequest', message: 'The request body must be a JSON array of tasks.' }]);
      return;
    }
    const tasks = body as unknown[];
    // The key comes in an authentication task; without one, Runware also takes a bearer header.
    const authentication = tasks.find((task) => taskTypeOf(task) === 'authentication') as { apiKey?: unknown } | undefined;
    const authenticated = authentication
      ? typeof authentication.apiKey === 'string' && authentication.apiKey !== ''
      : bearerToken(exchange.req) !== undefined;
    if (!authenticated) {
      exchange.entry.outcome = 'rejected';
      sendRunwareErrors(res, 401, [
        {
          code: 'invalidApiKey',
          message: 'Invalid API key. Get one at https://my.runware.ai/signup',
          parameter: 'apiKey',
          taskType: 'authentication',
        },
      ]);
      return;
    }

    const data: object[] = [];
    const errors: RunwareError[] = [];
    for (const task of tasks) {
      const taskType = taskTypeOf(task);
      if (taskType === 'authentication') continue;
      if (taskType !== 'imageInference') {
        errors.push({
          code: 'unsupportedTaskType',
          message: `Task type '${String(taskType)}' is not supported by the demo provider.`,
          parameter: 'taskType',
        });
        continue;
      }
      const parsed = imageInferenceSchema.safeParse(task);
      if (!parsed.success) {
        const issue = parsed.error.issues[0];
        const parameter = String(issue.path[0] ?? 'task');
        errors.push({
          code: `invalid${parameter.charAt(0).toUpperCase()}${parameter.slice(1)}`,
          message: `Invalid value for '${parameter}' parameter: ${issue.message}`,
          parameter,
          taskType,
          taskUUID: taskUUIDOf(task),
        });
        continue;
      }
      data.push(...inferenceResults(parsed.data, exchange.publicBaseUrl));
    }

    if (errors.length > 0 && data.length === 0) {
      exchange.entry.outcome = 'rejected';
      sendRunwareErrors(res, 400, errors);
      return;
    }
    sendJson(res, 200, errors.length > 0 ? { data, errors } : { data });
  },
};

function inferenceResults(task: z.infer<typeof imageInferenceSchema>, baseUrl: string): object[] {
  const format = (task.outputFormat ?? 'JPG').toLowerCase() as ImageFormat;
  // Priced by pixels, about $0.0038 for a 1024×1024 image.
  const cost = Math.round(task.width * task.height * 3.6e-9 * 1e6) / 1e6;
  return Array.from({ length: task.numberResults ?? 1 }, (_, index) => {
    const imageUUID = uuidFrom(`${task.taskUUID}|${task.model}|${task.positivePrompt}|${index}`);
    return {
      taskType: 'imageInference',
      taskUUID: task.taskUUID,
      imageUUID,
      imageURL: `${baseUrl}/images/${imageFileName(imageUUID, format)}`,
      ...(task.includeCost ? { cost } : {}),
    };
  });
}

/** A version-4-shaped UUID derived from text, so the same task always gets the same image ids. */
function uuidFrom(text: string): string {
  const hex = shortHash(text, 32);
  const variant = ((parseInt(hex[16], 16) & 0x3) | 0x8).toString(16);
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-4${hex.slice(13, 16)}-${variant}${hex.slice(17, 20)}-${hex.slice(20, 32)}`;
}

function taskTypeOf(task: unknown): unknown {
  return typeof task === 'object' && task !== null ? (task as { taskType?: unknown }).taskType : undefined;
}

function taskUUIDOf(task: unknown): string | undefined {
  const uuid = typeof task === 'object' && task !== null ? (task as { taskUUID?: unknown }).taskUUID : undefined;
  return typeof uuid === 'string' ? uuid : undefined;
}

function sendRunwareErrors(res: ServerResponse, status: number, errors: RunwareError[], detail: ErrorDetail = {}): void {
  sendJson(res, status, { errors }, detail.retryAfter === undefined ? {} : { 'retry-after': String(detail.retryAfter) });
}
