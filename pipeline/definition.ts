import type { Phase } from './phases';

/**
 * The AI functions, one definition each: names, limits, the progress messages (docs/functions.md) and the
 * activities that do the function's I/O. The shared pipeline (workflows/pipeline.ts) runs any of
 * them; adding a function means one entry here plus its activities.
 *
 * This module is imported by workflow code: it must stay free of Node, Prisma and I/O.
 */

export type FunctionName = 'auto_cluster' | 'generate_ideas' | 'generate_content' | 'generate_image_prompts' | 'generate_images';

export type PromptType =
  | 'clustering'
  | 'ideas'
  | 'content_generation'
  | 'image_prompt_extraction'
  | 'image_prompt_template'
  | 'negative_prompt';

/** What phase messages may mention: the first items' names (INIT) and the count the phase works on. */
export interface MessageContext {
  names: string[];
  count: number;
}

export interface AIFunctionDefinition {
  name: FunctionName;
  /** Older names the API still accepts for this function. */
  aliases: readonly string[];
  /** The Temporal workflow type: what the Web UI lists. */
  workflowType: string;
  /** What an item is, for memos and messages ("keyword"). */
  itemNoun: string;
  maxItems?: number;
  /** The start endpoint's message. */
  startedMessage: string;
  /** `batch`: one AI request for the whole run; `item`: one per input id. */
  requestsPer: 'batch' | 'item';
  promptType: PromptType;
  /**
   * Activity names (activities/index.ts). `call` is the provider step: the shared text
   * `requestCompletion` unless the function calls another kind of model.
   */
  activities: { validate: string; prepare: string; call: string; parse: string; save: string };
  messages: Record<Phase, (ctx: MessageContext) => string>;
}

/**
 * "Validating a, b, c and 4 more keywords": the first three names, then how many more. `names`
 * may hold only the first three; `count` is the total.
 */
export function validatingMessage(names: string[], count: number, noun: string): string {
  if (names.length === 0) return `Validating ${noun}s`;
  const total = Math.max(count, names.length);
  if (total <= 3) return `Validating ${joinNames(names.slice(0, 3))}`;
  return `Validating ${names.slice(0, 3).join(', ')} and ${total - 3} more ${noun}s`;
}

function joinNames(names: string[]): string {
  if (names.length === 1) return names[0];
  return `${names.slice(0, -1).join(', ')} and ${names[names.length - 1]}`;
}

export const autoCluster: AIFunctionDefinition = {
  name: 'auto_cluster',
  aliases: [],
  workflowType: 'autoClusterWorkflow',
  itemNoun: 'keyword',
  startedMessage: 'Clustering started',
  requestsPer: 'batch',
  promptType: 'clustering',
  activities: {
    validate: 'validateKeywords',
    prepare: 'prepareClusteringPrompt',
    call: 'requestCompletion',
    parse: 'parseClusters',
    save: 'saveClusters',
  },
  messages: {
    INIT: ({ names, count }) => validatingMessage(names, count, 'keyword'),
    PREP: ({ count }) => `Loading ${count} keyword(s)`,
    AI_CALL: () => 'Generating clusters with Igny8 Semantic SEO Model',
    PARSE: ({ count }) => `${count} cluster(s) created`,
    SAVE: ({ count }) => `Saving ${count} cluster(s)`,
    DONE: () => 'Clustering complete',
  },
};

export const generateIdeas: AIFunctionDefinition = {
  name: 'generate_ideas',
  aliases: ['auto_generate_ideas'],
  workflowType: 'generateIdeasWorkflow',
  itemNoun: 'cluster',
  maxItems: 10,
  startedMessage: 'Idea generation started',
  requestsPer: 'batch',
  promptType: 'ideas',
  activities: {
    validate: 'validateClusters',
    prepare: 'prepareIdeasPrompt',
    call: 'requestCompletion',
    parse: 'parseIdeas',
    save: 'saveIdeas',
  },
  messages: {
    INIT: () => 'Verifying cluster integrity',
    PREP: () => 'Loading cluster keywords',
    AI_CALL: () => 'Generating ideas with Igny8 Semantic AI',
    PARSE: ({ count }) => `${count} high-opportunity idea(s) generated`,
    SAVE: () => 'Content Outline for Ideas generated',
    DONE: () => 'Idea generation complete',
  },
};

export const generateContent: AIFunctionDefinition = {
  name: 'generate_content',
  aliases: [],
  workflowType: 'generateContentWorkflow',
  itemNoun: 'task',
  maxItems: 50,
  startedMessage: 'Content generation started',
  requestsPer: 'item',
  promptType: 'content_generation',
  activities: {
    validate: 'validateWriterTasks',
    prepare: 'prepareArticlePrompts',
    call: 'requestCompletion',
    parse: 'parseArticle',
    save: 'saveArticle',
  },
  messages: {
    INIT: () => 'Validating task',
    PREP: () => 'Preparing content idea',
    AI_CALL: () => 'Writing article with Igny8 Semantic AI',
    PARSE: ({ count }) => `${count} article(s) created`,
    SAVE: () => 'Saving article',
    DONE: () => 'Content generation complete',
  },
};

export const generateImagePrompts: AIFunctionDefinition = {
  name: 'generate_image_prompts',
  aliases: [],
  workflowType: 'generateImagePromptsWorkflow',
  itemNoun: 'content',
  startedMessage: 'Image prompt extraction started',
  requestsPer: 'item',
  promptType: 'image_prompt_extraction',
  activities: {
    validate: 'validateContents',
    prepare: 'prepareImagePromptRequests',
    call: 'requestCompletion',
    parse: 'parseImagePrompts',
    save: 'saveImagePrompts',
  },
  messages: {
    INIT: () => 'Validating content',
    PREP: () => 'Preparing image prompt extraction',
    AI_CALL: () => 'Extracting image prompts',
    PARSE: () => 'Processing image prompts',
    SAVE: () => 'Saving image prompts',
    DONE: () => 'Image prompts complete',
  },
};

export const generateImages: AIFunctionDefinition = {
  name: 'generate_images',
  aliases: [],
  workflowType: 'generateImagesWorkflow',
  itemNoun: 'image',
  startedMessage: 'Image generation started',
  requestsPer: 'item',
  promptType: 'image_prompt_template',
  activities: {
    validate: 'validateImagePrompts',
    prepare: 'prepareImageRequests',
    call: 'requestImage',
    parse: 'parseImageResult',
    save: 'saveImage',
  },
  messages: {
    INIT: () => 'Validating image prompts',
    PREP: () => 'Preparing image generation',
    AI_CALL: () => 'Creating image(s) with AI',
    PARSE: () => 'Processing image response',
    SAVE: () => 'Saving generated image(s)',
    DONE: () => 'Image generation complete',
  },
};

export const AI_FUNCTIONS: Record<FunctionName, AIFunctionDefinition> = {
  auto_cluster: autoCluster,
  generate_ideas: generateIdeas,
  generate_content: generateContent,
  generate_image_prompts: generateImagePrompts,
  generate_images: generateImages,
};

/** The definition for a function name or alias, or undefined. */
export function findFunction(name: string): AIFunctionDefinition | undefined {
  return Object.values(AI_FUNCTIONS).find((f) => f.name === name || f.aliases.includes(name));
}
