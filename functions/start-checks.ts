import type { PrismaClient } from '../db/client';
import { TASK_CONTENT_REQUIREMENT, tasksWithoutContent } from './auto-generate-images/start-check';
import { IMAGE_PROMPT_REQUIREMENT, imagesWithoutPrompt } from './generate-images/start-check';
import type { FunctionName } from '.';

/**
 * What a function checks of its ids at the API beyond ownership, before anything starts: the
 * reason the request is refused (a 400), or undefined.
 */
export type StartCheck = (prisma: PrismaClient, accountId: number, ids: number[]) => Promise<string | undefined>;

export const START_CHECKS: Partial<Record<FunctionName, StartCheck>> = {
  generate_images: imagesWithoutPrompt,
  auto_generate_images: tasksWithoutContent,
};

/** What a start check asks of each input row, said so that a frontend can check a selection before it asks. */
export type StartRequirement = typeof IMAGE_PROMPT_REQUIREMENT | typeof TASK_CONTENT_REQUIREMENT;

export const START_REQUIREMENTS: Partial<Record<FunctionName, StartRequirement>> = {
  generate_images: IMAGE_PROMPT_REQUIREMENT,
  auto_generate_images: TASK_CONTENT_REQUIREMENT,
};
