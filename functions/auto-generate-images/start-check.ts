import type { PrismaClient } from '../../db/client';

/** What each writer task must have before auto_generate_images starts, as a frontend checks it ahead (the check below is the API's). */
export const TASK_CONTENT_REQUIREMENT = {
  requires: 'task_content',
  description: 'Every writer task needs its content: run generate_content for it first.',
} as const;

/** A writer task without content has nothing to draw images for: the API names them and starts nothing. */
export async function tasksWithoutContent(prisma: PrismaClient, accountId: number, ids: number[]): Promise<string | undefined> {
  const rows = await prisma.writerTask.findMany({ where: { accountId, id: { in: ids }, content: null }, select: { id: true }, orderBy: { id: 'asc' } });
  return rows.length ? withoutContentMessage(rows.map((task) => task.id)) : undefined;
}

export function withoutContentMessage(ids: number[]): string {
  return `Writer tasks without content: ${ids.join(', ')}. Run generate_content for them first.`;
}
