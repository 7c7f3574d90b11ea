import type { PrismaClient } from '../../db/client';

/** What each image must have before generate_images starts, as a frontend checks it ahead (the check below is the API's). */
export const IMAGE_PROMPT_REQUIREMENT = {
  requires: 'image_prompt',
  description: 'Every image needs a prompt: run generate_image_prompts for its content first.',
} as const;

/** An image without a prompt cannot be generated: the API names them and starts nothing. */
export async function imagesWithoutPrompt(prisma: PrismaClient, accountId: number, ids: number[]): Promise<string | undefined> {
  const rows = await prisma.image.findMany({ where: { accountId, id: { in: ids }, prompt: '' }, select: { id: true }, orderBy: { id: 'asc' } });
  return rows.length ? withoutPromptMessage(rows.map((i) => i.id)) : undefined;
}

export function withoutPromptMessage(ids: number[]): string {
  return `Images without a prompt: ${ids.join(', ')}. Run generate_image_prompts for their content first.`;
}
