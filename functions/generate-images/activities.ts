import { Context } from '@temporalio/activity';
import { ApplicationFailure } from '@temporalio/common';
import type { PrismaClient } from '../../db/client';
import type { CompletionRef, CompletionUsage, ParsedAnswer, PreparedRequest, PreparedRun, RunInput, SavedOutput, ValidatedInput } from '../../pipeline/run-io';
import { ModelOutputError } from '../../activities/answer-parsing/parse-answer';
import { imageCost } from '../../activities/pricing';
import { formatImagePrompt, imageLabel, parseStoredImageAnswer, type GeneratedImage, type StoredImageAnswer } from './answer';
import type { ActivityDeps } from '../../activities/deps';
import { loadImageGenerationSettings, loadImageLayout } from '../../activities/settings/image-generation';
import { requestImageGeneration } from './image-client';
import { resolvePrompt } from '../../activities/prompts';
import { promptOf } from '../../pipeline/definition';
import { generateImages } from './definition';
import { withoutPromptMessage } from './start-check';
import { markRunStarted } from '../../activities/run-record';
import { invalidInputError, modelOutputError } from '../../activities/failures';
import { requireAll, saveOnce, storePreparedRequest } from '../../activities/ai-requests';

const HEARTBEAT_EVERY_MS = 2_000;
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

async function loadImages(prisma: PrismaClient, input: RunInput) {
  const images = await prisma.image.findMany({
    where: { id: { in: input.ids }, accountId: input.accountId },
    include: { content: { select: { title: true } } },
    orderBy: { id: 'asc' },
  });
  requireAll(input.ids, images, 'Images');
  const withoutPrompt = images.filter((i) => !i.prompt.trim()).map((i) => i.id);
  if (withoutPrompt.length) {
    throw invalidInputError(withoutPromptMessage(withoutPrompt));
  }
  return images;
}

/** A failure retrying cannot fix leaves the row `failed`; an image drawn before keeps its state. */
async function markImageFailed(prisma: PrismaClient, ref: CompletionRef): Promise<void> {
  await prisma.image.updateMany({
    where: { id: Number(ref.itemKey), accountId: ref.accountId, status: { not: 'generated' } },
    data: { status: 'failed' },
  });
}

/** generate_images: one provider request per image row with a prompt. */
export function createImageActivities(deps: ActivityDeps) {
  const { prisma } = deps;
  async function loadRequest(ref: Pick<CompletionRef, 'taskId' | 'itemKey'>) {
    const row = await prisma.aIRequest.findUnique({ where: { taskId_itemKey: { taskId: ref.taskId, itemKey: ref.itemKey } } });
    if (!row) throw invalidInputError(`No prepared image request for ${ref.taskId}/${ref.itemKey}.`);
    return { ...row, record: (row.parsed ?? { negative_prompt: '' }) as unknown as ImageRequestRecord };
  }

  async function validateImagePrompts(input: RunInput): Promise<ValidatedInput> {
    await markRunStarted(prisma, input.taskId);
    const images = await loadImages(prisma, input);
    // Provider, model, size and key are checked here, so a bad setting fails the run at INIT.
    await loadImageGenerationSettings(prisma, input.accountId);
    return { names: images.slice(0, 3).map((i) => imageLabel(i, i.content.title)), count: images.length };
  }

  async function prepareImageRequests(input: RunInput): Promise<PreparedRun> {
    const images = await loadImages(prisma, input);
    const layout = await loadImageLayout(prisma, input.accountId);
    const { template } = await resolvePrompt(prisma, input.accountId, promptOf(generateImages), input.promptOverride);
    const negative = await resolvePrompt(prisma, input.accountId, promptOf(generateImages, 'negative_prompt'));
    const requests: PreparedRequest[] = [];
    for (const image of images) {
      const prompt = formatImagePrompt(template, { imageType: layout.imageType, postTitle: image.content.title, imagePrompt: image.prompt });
      const itemKey = String(image.id);
      const ref = { taskId: input.taskId, itemKey };
      await storePreparedRequest(prisma, { ...ref, accountId: input.accountId, functionName: input.functionName, promptType: generateImages.promptType, prompt });
      const record: ImageRequestRecord = { negative_prompt: negative.template.trim() };
      // Like the prompt, the negative prompt is rewritten only while no answer is stored.
      await prisma.aIRequest.updateMany({ where: { ...ref, responseText: null }, data: { parsed: record as unknown as object } });
      requests.push({ itemKey, itemId: image.id, label: imageLabel(image, image.content.title), promptChars: prompt.length });
    }
    return { count: images.length, requests };
  }

  /**
   * AI_CALL: one image from the configured provider, heartbeating while it draws and aborting when
   * the activity is cancelled. Settings (and the key) are read afresh on every attempt and never
   * leave this activity. A stored answer is reused: the provider is not paid twice.
   */
  async function requestImage(ref: CompletionRef): Promise<CompletionUsage> {
    const request = await loadRequest(ref);
    if (request.responseText !== null) return usageOf(request);

    const settings = await loadImageGenerationSettings(prisma, ref.accountId);
    const context = Context.current();
    context.heartbeat({ phase: 'waiting' });
    const beat = setInterval(() => context.heartbeat({ phase: 'waiting' }), HEARTBEAT_EVERY_MS);
    try {
      const answer = await requestImageGeneration({
        settings,
        prompt: request.prompt,
        negativePrompt: request.record.negative_prompt,
        signal: context.cancellationSignal,
        timeoutMs: IMAGE_CALL_TIMEOUT_MS,
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
      clearInterval(beat);
    }
  }

  async function parseImageResult(ref: CompletionRef): Promise<ParsedAnswer> {
    const request = await loadRequest(ref);
    if (request.responseText === null) throw invalidInputError(`No image answer stored for ${ref.taskId}/${ref.itemKey}.`);
    let image: GeneratedImage;
    try {
      image = parseStoredImageAnswer(request.responseText);
    } catch (err) {
      if (!(err instanceof ModelOutputError)) throw err;
      await markImageFailed(prisma, ref);
      throw modelOutputError(err.message);
    }
    const record: ImageRequestRecord = { ...request.record, image };
    await prisma.aIRequest.update({
      where: { taskId_itemKey: { taskId: ref.taskId, itemKey: ref.itemKey } },
      data: { parsed: record as unknown as object },
    });
    return { count: 1 };
  }

  /** Updates the image row in one transaction that also records the outcome: a retried save writes nothing twice. */
  async function saveImage(input: RunInput, request: PreparedRequest): Promise<SavedOutput> {
    return saveOnce(deps, { taskId: input.taskId, itemKey: request.itemKey }, async (tx, row) => {
      const image = (row.parsed as unknown as ImageRequestRecord).image;
      if (!image) throw invalidInputError(`No parsed image to save for ${input.taskId}/${request.itemKey}.`);

      const updated = await tx.image.updateMany({
        where: { id: Number(request.itemKey), accountId: input.accountId },
        data: { imageUrl: image.image_url, provider: image.provider, model: image.model, cost: image.cost, status: 'generated' },
      });
      if (updated.count === 0) throw invalidInputError(`Image ${request.itemKey} no longer exists for this account.`);
      return { count: 1, counters: { images_generated: 1 } };
    });
  }

  return { validateImagePrompts, prepareImageRequests, requestImage, parseImageResult, saveImage };
}

function usageOf(row: { model: string | null; cost: number; responseText: string | null }): CompletionUsage {
  return { model: row.model ?? '', inputTokens: 0, outputTokens: 0, cost: row.cost, answerChars: row.responseText?.length ?? 0 };
}
