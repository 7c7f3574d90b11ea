import { z } from 'zod';
import { shortHash } from './answers/text';
import { bearerToken, type ProviderEndpoint } from './endpoint';
import { sendJson } from './http-io';
import { imageBytes, imageFileName } from './image-files';
import { sendOpenAiError, sendOpenAiMalformed } from './openai-errors';

const imageRequestSchema = z.looseObject({
  prompt: z.string().min(1),
  model: z.string().nullish(),
  n: z.number().int().min(1).max(10).nullish(),
  size: z.string().regex(/^(\d+x\d+|auto)$/, 'expected WIDTHxHEIGHT, e.g. 1024x1024').nullish(),
  response_format: z.enum(['url', 'b64_json']).nullish(),
});

/** OpenAI `POST /v1/images/generations`: `n` images whose URLs depend only on model, size and prompt. */
export const imageGenerations: ProviderEndpoint = {
  sendError: sendOpenAiError,
  sendMalformed: sendOpenAiMalformed,
  answer(exchange) {
    if (!bearerToken(exchange.req)) {
      exchange.reject(401, { message: "You didn't provide an API key. Provide it in an Authorization header (Bearer auth)." });
      return;
    }
    const parsed = imageRequestSchema.safeParse(exchange.body);
    if (!parsed.success) {
      const issue = parsed.error.issues[0];
      exchange.reject(400, { message: `Invalid '${issue.path.join('.')}': ${issue.message}`, param: issue.path.join('.') });
      return;
    }
    const { prompt, model, n, size, response_format } = parsed.data;
    const data = Array.from({ length: n ?? 1 }, (_, index) => {
      const id = shortHash(`${model ?? ''}|${size ?? ''}|${prompt}|${index}`);
      const revised_prompt = `${prompt.trim().replace(/[.\s]+$/, '')}, with a clear focal point, balanced composition and natural lighting.`;
      return response_format === 'b64_json'
        ? { b64_json: imageBytes(id, 'png').bytes.toString('base64'), revised_prompt }
        : { url: `${exchange.publicBaseUrl}/images/${imageFileName(id, 'png')}`, revised_prompt };
    });
    sendJson(exchange.res, 200, { created: Math.floor(Date.now() / 1000), data });
  },
};
