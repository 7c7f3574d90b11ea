import type { PrismaClient } from '../db/client';
import { tasksWithoutContent } from './auto-generate-images/start-check';
import { imagesWithoutPrompt } from './generate-images/start-check';
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
