import type { Content } from '../../db/client';
import type { ActivityDeps } from '../../activities/deps';
import { invalidInputError } from '../../activities/failures';
import { parseAnswer, prepareRequests, saveItem, validateRows, type FunctionSteps } from '../../activities/function-steps';
import { ensureJsonInstruction, fillPlaceholders, resolvePrompt } from '../../activities/prompts';
import { loadImageLayout, type ImageLayout, type ImageVariant } from '../../activities/settings/image-generation';
import { loadTextModelSettings, textCallCost, type TextModelSettings } from '../../activities/settings/text-model';
import { promptOf } from '../../pipeline/definition';
import type { CompletionRef, ParsedAnswer, PreparedRequest, PreparedRun, RunInput, SavedOutput, ValidatedInput } from '../../pipeline/run-io';
import { articleForPrompt, imageRowsFor, parseImagePrompts, type ImagePrompts } from './answer';
import { generateImagePrompts } from './definition';

interface ExtractionSettings {
  text: TextModelSettings;
  layout: ImageLayout;
}

/** What PARSE keeps for SAVE: the prompts, and the variants enabled when they were read. */
interface ParsedImagePrompts extends ImagePrompts {
  variants: ImageVariant[];
}

function contentLabel(content: { id: number; title: string }): string {
  const title = content.title.trim() || `content ${content.id}`;
  return title.length > 80 ? `${title.slice(0, 77)}…` : title;
}

/**
 * generate_image_prompts' own steps: one extraction request per content; its featured and
 * in-article prompts become the content's image rows, ready for generate_images.
 */
export const generateImagePromptsSteps: FunctionSteps<Content, ParsedImagePrompts> = {
  rowsNoun: 'Content',

  load: (prisma, input) => prisma.content.findMany({ where: { id: { in: input.ids }, accountId: input.accountId }, orderBy: { id: 'asc' } }),

  nameOf: contentLabel,

  /** The text model reads the article; the image settings say how many in-article images it may propose. */
  async settings(prisma, accountId): Promise<ExtractionSettings> {
    return { text: await loadTextModelSettings(prisma, accountId), layout: await loadImageLayout(prisma, accountId) };
  },

  maxCallCostUsd: (settings, promptChars) => textCallCost((settings as ExtractionSettings).text, promptChars),

  async plan({ rows, template, settings }) {
    const { layout } = settings as ExtractionSettings;
    return rows.map((content) => ({
      itemKey: String(content.id),
      itemId: content.id,
      label: contentLabel(content),
      prompt: ensureJsonInstruction(
        fillPlaceholders(template, { max_images: String(layout.maxInArticleImages), title: content.title, content: articleForPrompt(content.htmlContent) }),
      ),
    }));
  },

  /** The account's limit holds whatever the model wrote; the variants are those enabled when it is read. */
  async parse({ prisma, ref, request }) {
    const layout = await loadImageLayout(prisma, ref.accountId);
    const prompts = parseImagePrompts(request.responseText, layout.maxInArticleImages);
    const parsed: ParsedImagePrompts = { ...prompts, variants: layout.variants };
    return { parsed: parsed as unknown as object, count: 1 + prompts.in_article_prompts.length };
  },

  /**
   * The content's image rows (unique by content, type and position). A changed prompt makes its row
   * pending again (the old image no longer matches it); rows the new extraction no longer has (a
   * lower limit, a variant turned off) are removed.
   */
  async save(tx, { input, request, parsed }) {
    const contentId = request.itemId ?? Number(request.itemKey);
    const content = await tx.content.findFirst({ where: { id: contentId, accountId: input.accountId } });
    if (!content) throw invalidInputError(`Content ${contentId} no longer exists for this account.`);
    const kept: number[] = [];
    for (const plan of imageRowsFor(parsed, parsed.variants)) {
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
  },
};

/** The activity names runs of generate_image_prompts have always scheduled (recorded histories and open runs use them). */
export function createImagePromptActivities(deps: ActivityDeps) {
  const steps = generateImagePromptsSteps;
  return {
    validateContents: (input: RunInput): Promise<ValidatedInput> => validateRows(deps, steps, input),
    prepareImagePromptRequests: async (input: RunInput): Promise<PreparedRun> => {
      const { template } = await resolvePrompt(deps.prisma, input.accountId, promptOf(generateImagePrompts), input.promptOverride);
      return prepareRequests(deps, generateImagePrompts, steps, input, template);
    },
    parseImagePrompts: (ref: CompletionRef): Promise<ParsedAnswer> => parseAnswer(deps, steps, ref),
    saveImagePrompts: (input: RunInput, request: PreparedRequest): Promise<SavedOutput> => saveItem(deps, steps, input, request),
  };
}
