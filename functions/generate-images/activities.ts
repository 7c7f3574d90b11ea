import { Context } from '@temporalio/activity';
import { ApplicationFailure } from '@temporalio/common';
import type { Image, PrismaClient } from '../../db/client';
import type { CompletionRef, CompletionUsage, ParsedAnswer, PreparedRequest, PreparedRun, RunInput, SavedOutput, ValidatedInput } from '../../pipeline/run-io';
import { imageCost } from '../../activities/pricing';
import { formatImagePrompt, imageLabel, parseStoredImageAnswer, type GeneratedImage, type StoredImageAnswer } from './answer';
import { parseAnswer, prepareRequests, saveItem, validateRows, type FunctionSteps } from '../../activities/function-steps';
import type { ActivityDeps } from '../../activities/deps';
import { loadImageGenerationSettings, type ImageGenerationSettings } from '../../activities/settings/image-generation';
import { requestImageGeneration } from './image-client';
import { resolvePrompt } from '../../activities/prompts';
import { promptOf } from '../../pipeline/definition';
import { generateImages } from './definition';
import { withoutPromptMessage } from './start-check';
import { invalidInputError } from '../../activities/failures';
import { DEFAULT_SLOT_POLICY, holdSlot } from '../../activities/ai-call-slots';
import { throttledHeartbeat } from '../../activities/heartbeat';

// Image models take up to a minute or two; a call silent for longer is abandoned and retried.
const IMAGE_CALL_TIMEOUT_MS = 5 * 60_000;

/**
 * `ai_requests.parsed` of an image request: PREP keeps the negative prompt sent beside the positive
 * one (`prompt`), PARSE adds the image the provider drew.
 */
interface ImageRequestRecord {
  negative_prompt: string;
  image?: GeneratedImage;
}

/** A failure retrying cannot fix leaves the row `failed`; an image drawn before keeps its state. */
async function markImageFailed(prisma: PrismaClient, ref: CompletionRef): Promise<void> {
  await prisma.image.updateMany({
    where: { id: Number(ref.itemKey), accountId: ref.accountId, status: { not: 'generated' } },
    data: { status: 'failed' },
  });
}

type ImageRow = Image & { content: { title: string } };

/** generate_images' own steps: one provider request per image row with a prompt; the image saved on its row. */
export const generateImagesSteps: FunctionSteps<ImageRow, ImageRequestRecord> = {
  rowsNoun: 'Images',

  async load(prisma, input) {
    const images = await prisma.image.findMany({
      where: { id: { in: input.ids }, accountId: input.accountId },
      include: { content: { select: { title: true } } },
      orderBy: { id: 'asc' },
    });
    const withoutPrompt = images.filter((i) => !i.prompt.trim()).map((i) => i.id);
    if (withoutPrompt.length) throw invalidInputError(withoutPromptMessage(withoutPrompt));
    return images;
  },

  nameOf: (image) => imageLabel(image, image.content.title),

  /** Provider, model, size and key are checked here, so a bad setting fails the run at INIT. */
  settings: (prisma, accountId) => loadImageGenerationSettings(prisma, accountId),

  maxCallCostUsd: (settings) => (settings as ImageGenerationSettings).rates.per_image,

  /** The image prompt from the template, and the negative prompt kept beside it for the provider that takes one. */
  async plan({ prisma, input, rows, template, settings }) {
    const { imageType } = settings as ImageGenerationSettings;
    const negative = await resolvePrompt(prisma, input.accountId, promptOf(generateImages, 'negative_prompt'));
    const pending: ImageRequestRecord = { negative_prompt: negative.template.trim() };
    return rows.map((image) => ({
      itemKey: String(image.id),
      itemId: image.id,
      label: imageLabel(image, image.content.title),
      prompt: formatImagePrompt(template, { imageType, postTitle: image.content.title, imagePrompt: image.prompt }),
      pending: { ...pending },
    }));
  },

  async parse({ request }) {
    const image = parseStoredImageAnswer(request.responseText);
    const record: ImageRequestRecord = { ...((request.parsed ?? { negative_prompt: '' }) as unknown as ImageRequestRecord), image };
    return { parsed: record as unknown as object, count: 1 };
  },

  async save(tx, { input, request, parsed }) {
    const image = parsed.image;
    if (!image) throw invalidInputError(`No parsed image to save for ${input.taskId}/${request.itemKey}.`);
    const updated = await tx.image.updateMany({
      where: { id: Number(request.itemKey), accountId: input.accountId },
      data: { imageUrl: image.image_url, provider: image.provider, model: image.model, cost: image.cost, status: 'generated' },
    });
    if (updated.count === 0) throw invalidInputError(`Image ${request.itemKey} no longer exists for this account.`);
    return { count: 1, counters: { images_generated: 1 } };
  },

  failed: markImageFailed,
};

/**
 * generate_images' activities: the provider call, and the names runs of generate_images have always
 * scheduled (recorded histories and open runs use them).
 */
export function createImageActivities(deps: ActivityDeps) {
  const { prisma } = deps;
  const steps = generateImagesSteps;

  /**
   * AI_CALL: one image from the configured provider, heartbeating while it draws and aborting when
   * the activity is cancelled. Settings (and the key) are read afresh on every attempt and never
   * leave this activity. A stored answer is reused: the provider is not paid twice.
   */
  async function requestImage(ref: CompletionRef): Promise<CompletionUsage> {
    const row = await prisma.aIRequest.findUnique({ where: { taskId_itemKey: { taskId: ref.taskId, itemKey: ref.itemKey } } });
    if (!row) throw invalidInputError(`No prepared image request for ${ref.taskId}/${ref.itemKey}.`);
    if (row.responseText !== null) return usageOf(row);
    const record = (row.parsed ?? { negative_prompt: '' }) as unknown as ImageRequestRecord;

    const settings = await loadImageGenerationSettings(prisma, ref.accountId);
    const context = Context.current();
    const heartbeat = throttledHeartbeat(context);
    const slot = holdSlot(prisma, deps.slots ?? DEFAULT_SLOT_POLICY, ref);
    try {
      // Inside the try: a claim that fails (the database away) stops the renewals and heartbeats too.
      await slot.claimed;
      const answer = await requestImageGeneration({
        settings,
        prompt: row.prompt,
        negativePrompt: record.negative_prompt,
        signal: context.cancellationSignal,
        timeoutMs: IMAGE_CALL_TIMEOUT_MS,
        taskId: ref.taskId,
      }).catch(async (err: unknown) => {
        if (err instanceof ApplicationFailure && err.nonRetryable) await markImageFailed(prisma, ref);
        throw err;
      });
      const cost = imageCost(settings.rates, answer.reportedCost);
      const stored: StoredImageAnswer = {
        provider: settings.provider,
        model: answer.model,
        image_url: answer.imageUrl,
        cost,
        ...(answer.revisedPrompt ? { revised_prompt: answer.revisedPrompt } : {}),
      };
      const saved = await prisma.aIRequest.update({
        where: { taskId_itemKey: { taskId: ref.taskId, itemKey: ref.itemKey } },
        data: { responseText: JSON.stringify(stored), model: answer.model, cost },
      });
      return usageOf(saved);
    } finally {
      heartbeat.stop();
      slot.stop();
    }
  }

  return {
    validateImagePrompts: (input: RunInput): Promise<ValidatedInput> => validateRows(deps, steps, input),
    prepareImageRequests: async (input: RunInput): Promise<PreparedRun> => {
      const { template } = await resolvePrompt(prisma, input.accountId, promptOf(generateImages), input.promptOverride);
      return prepareRequests(deps, generateImages, steps, input, template);
    },
    requestImage,
    parseImageResult: (ref: CompletionRef): Promise<ParsedAnswer> => parseAnswer(deps, steps, ref),
    saveImage: (input: RunInput, request: PreparedRequest): Promise<SavedOutput> => saveItem(deps, steps, input, request),
  };
}

function usageOf(row: { model: string | null; cost: number; responseText: string | null }): CompletionUsage {
  return { model: row.model ?? '', inputTokens: 0, outputTokens: 0, cost: row.cost, answerChars: row.responseText?.length ?? 0 };
}
