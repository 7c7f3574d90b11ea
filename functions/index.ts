import { autoCluster } from './auto-cluster/definition';
import { autoGenerateImages } from './auto-generate-images/definition';
import { generateContent } from './generate-content/definition';
import { generateIdeas } from './generate-ideas/definition';
import { generateImagePrompts } from './generate-image-prompts/definition';
import { generateImages } from './generate-images/definition';

/**
 * Every AI function, by its definition; registering a function is one entry here. Definitions only,
 * so the API and workflow code import this list alike (no Node, Prisma or I/O).
 */
export const AI_FUNCTIONS = [autoCluster, generateIdeas, generateContent, generateImagePrompts, generateImages, autoGenerateImages] as const;

export type AIFunction = (typeof AI_FUNCTIONS)[number];
export type FunctionName = AIFunction['name'];
export type PipelineFunctionName = Extract<AIFunction, { kind: 'pipeline' }>['name'];

/** Every prompt type a function reads (`AIPrompt.prompt_type`), with its built-in default. */
export type PromptType = AIFunction extends infer F ? (F extends { prompts: infer P } ? keyof P & string : never) : never;
export const DEFAULT_PROMPTS = Object.fromEntries(
  AI_FUNCTIONS.flatMap((f) => (f.kind === 'pipeline' ? Object.entries(f.prompts) : [])),
) as Record<PromptType, string>;
export const PROMPT_TYPES = Object.keys(DEFAULT_PROMPTS) as [PromptType, ...PromptType[]];

/** The definition for a function name or alias, or undefined. */
export function findFunction(name: string): AIFunction | undefined {
  return AI_FUNCTIONS.find((f) => f.name === name || f.aliases.includes(name));
}
