import type { ActivityDeps } from '../../activities/deps';
import { invalidInputError } from '../../activities/failures';
import { requireAll } from '../../activities/ai-requests';
import { markRunStarted } from '../../activities/run-record';
import type { RunInput } from '../../pipeline/run-io';
import { shortLabel } from '../generate-content/brief';
import { withoutContentMessage } from './start-check';

/** The writer tasks of a run with their content: what the image prompts are extracted from. */
export interface TasksWithContent {
  names: string[];
  count: number;
  contents: Array<{ taskId: number; contentId: number }>;
}

/** The image rows of the run's contents that still need drawing. */
export interface ImagesToGenerate {
  images: Array<{ imageId: number; contentId: number }>;
}

/** auto_generate_images' own steps; the prompts and images are its child runs' work. */
export function createAutoGenerateImagesActivities(deps: ActivityDeps) {
  const { prisma } = deps;

  async function validateTasksWithContent(input: RunInput): Promise<TasksWithContent> {
    await markRunStarted(prisma, input.taskId);
    const tasks = await prisma.writerTask.findMany({
      where: { id: { in: input.ids }, accountId: input.accountId },
      select: { id: true, title: true, content: { select: { id: true } } },
    });
    requireAll(input.ids, tasks, 'Writer tasks');
    const byId = new Map(tasks.map((task) => [task.id, task]));
    const ordered = input.ids.map((id) => byId.get(id)!);
    const withoutContent = ordered.filter((task) => !task.content).map((task) => task.id);
    if (withoutContent.length) throw invalidInputError(withoutContentMessage(withoutContent));
    return {
      names: ordered.slice(0, 3).map((task) => shortLabel(task.title) || `Task ${task.id}`),
      count: ordered.length,
      contents: ordered.map((task) => ({ taskId: task.id, contentId: task.content!.id })),
    };
  }

  async function findImagesToGenerate(input: { accountId: number; contentIds: number[] }): Promise<ImagesToGenerate> {
    const images = await prisma.image.findMany({
      where: { accountId: input.accountId, contentId: { in: input.contentIds }, prompt: { not: '' }, status: { not: 'generated' } },
      select: { id: true, contentId: true },
      orderBy: { id: 'asc' },
    });
    return { images: images.map((image) => ({ imageId: image.id, contentId: image.contentId })) };
  }

  return { validateTasksWithContent, findImagesToGenerate };
}
