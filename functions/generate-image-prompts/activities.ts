import type { PrismaClient } from '../../db/client';
import type { CompletionRef, ParsedAnswer, PreparedRequest, PreparedRun, RunInput, SavedOutput, ValidatedInput } from '../../pipeline/run-io';
import { articleForPrompt, imageRowsFor, parseImagePrompts as parseImagePromptsAnswer, type ImagePrompts } from './answer';
import type { ActivityDeps } from '../../activities/deps';
import { loadTextModelSettings } from '../../activities/settings/text-model';
import { loadImageLayout, type ImageVariant } from '../../activities/settings/image-generation';
import { ensureJsonInstruction, fillPlaceholders, resolvePrompt } from '../../activities/prompts';
import { promptOf } from '../../pipeline/definition';
import { generateImagePrompts } from './definition';
import { markRunStarted } from '../../activities/run-record';
import { invalidInputError } from '../../activities/failures';
import { parseStoredAnswer, requireAll, saveOnce, storePreparedRequest } from '../../activities/ai-requests';

/** What PARSE keeps for SAVE: the prompts, and the variants enabled when they were read. */
interface ParsedImagePrompts extends ImagePrompts {
  variants: ImageVariant[];
}

async function loadContents(prisma: PrismaClient, input: RunInput) {
  const contents = await prisma.content.findMany({
    where: { id: { in: input.ids }, accountId: input.accountId },
    orderBy: { id: 'asc' },
  });
  return requireAll(input.ids, contents, 'Content');
}

function contentLabel(content: { id: number; title: string }): string {
  const title = content.title.trim() || `content ${content.id}`;
  return title.length > 80 ? `${title.slice(0, 77)}…` : title;
}

/**
 * generate_image_prompts: one extraction request per content; its featured and
 * in-article prompts become the content's image rows, ready for generate_images.
 */
export function createImagePromptActivities(deps: ActivityDeps) {
  const { prisma } = deps;
  async function validateContents(input: RunInput): Promise<ValidatedInput> {
    await markRunStarted(prisma, input.taskId);
    const contents = await loadContents(prisma, input);
    // The text model reads the article; the image settings say how many in-article images it may propose.
    await loadTextModelSettings(prisma, input.accountId);
    await loadImageLayout(prisma, input.accountId);
    return { names: contents.slice(0, 3).map(contentLabel), count: contents.length };
  }

  async function prepareImagePromptRequests(input: RunInput): Promise<PreparedRun> {
    const contents = await loadContents(prisma, input);
    const layout = await loadImageLayout(prisma, input.accountId);
    const { template } = await resolvePrompt(prisma, input.accountId, promptOf(generateImagePrompts), input.promptOverride);
    const requests: PreparedRequest[] = [];
    for (const content of contents) {
      const prompt = ensureJsonInstruction(
        fillPlaceholders(template, {
          max_images: String(layout.maxInArticleImages),
          title: content.title,
          content: articleForPrompt(content.htmlContent),
        }),
      );
      const itemKey = String(content.id);
      await storePreparedRequest(prisma, {
        taskId: input.taskId,
        itemKey,
        accountId: input.accountId,
        functionName: input.functionName,
        promptType: generateImagePrompts.promptType,
        prompt,
      });
      requests.push({ itemKey, itemId: content.id, label: contentLabel(content), promptChars: prompt.length });
    }
    return { count: contents.length, requests };
  }

  async function parseImagePrompts(ref: CompletionRef): Promise<ParsedAnswer> {
    const layout = await loadImageLayout(prisma, ref.accountId);
    const prompts = await parseStoredAnswer(
      prisma,
      ref,
      (text) => parseImagePromptsAnswer(text, layout.maxInArticleImages),
      (found): ParsedImagePrompts => ({ ...found, variants: layout.variants }),
    );
    return { count: 1 + prompts.in_article_prompts.length };
  }

  /**
   * Writes the content's image rows (unique by content, type and position) in one transaction that
   * also records the outcome on the AI request: a retried save returns it and writes nothing twice.
   * A changed prompt makes its row pending again (the old image no longer matches it); rows the new
   * extraction no longer has (a lower limit, a variant turned off) are removed.
   */
  async function saveImagePrompts(input: RunInput, request: PreparedRequest): Promise<SavedOutput> {
    return saveOnce(deps, { taskId: input.taskId, itemKey: request.itemKey }, async (tx, row) => {
      const parsed = row.parsed as unknown as ParsedImagePrompts;
      const content = await tx.content.findFirst({ where: { id: Number(request.itemKey), accountId: input.accountId } });
      if (!content) throw invalidInputError(`Content ${request.itemKey} no longer exists for this account.`);

      const plans = imageRowsFor(parsed, parsed.variants);
      const kept: number[] = [];
      for (const plan of plans) {
        const where = { contentId_imageType_position: { contentId: content.id, imageType: plan.imageType, position: plan.position } };
        const existing = await tx.image.findUnique({ where });
        if (existing?.prompt === plan.prompt) {
          kept.push(existing.id);
          continue;
        }
        const fresh = { prompt: plan.prompt, taskId: content.taskId, status: 'pending', imageUrl: null, provider: null, model: null, cost: 0 };
        const image = existing
          ? await tx.image.update({ where: { id: existing.id }, data: fresh })
          : await tx.image.create({ data: { accountId: input.accountId, contentId: content.id, imageType: plan.imageType, position: plan.position, ...fresh } });
        kept.push(image.id);
      }
      await tx.image.deleteMany({ where: { contentId: content.id, id: { notIn: kept } } });

      const prompts = 1 + parsed.in_article_prompts.length;
      return { count: prompts, counters: { prompts_created: prompts } };
    });
  }

  return { validateContents, prepareImagePromptRequests, parseImagePrompts, saveImagePrompts };
}
