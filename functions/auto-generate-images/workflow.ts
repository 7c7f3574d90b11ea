import { executeChild, proxyLocalActivities, setHandler, upsertSearchAttributes } from '@temporalio/workflow';
import type { Activities } from '../../worker/activities';
import { applyProgressUpdate } from '../../pipeline/live-progress';
import { childProgressSignal, taskProgressQuery } from '../../pipeline/messages';
import type { Phase } from '../../pipeline/phases';
import type { ItemOutcome, TaskProgress, TaskResult } from '../../pipeline/progress';
import { ProgressState } from '../../pipeline/progress-state';
import { endWithError, finish, localRunRecordSteps, publishLive } from '../../pipeline/run-ai-function';
import { oneAtATime } from '../../pipeline/one-at-a-time';
import { DATABASE_STEP_OPTIONS, LOCAL_RETRY_THRESHOLD } from '../../pipeline/step-options';
import type { RunInput } from '../../pipeline/run-io';
import { AI_ACCOUNT, AI_FUNCTION, AI_PHASE, AI_STATE } from '../../pipeline/search-attributes';
import { generateImagePrompts } from '../generate-image-prompts/definition';
import { generateImagePromptsWorkflow } from '../generate-image-prompts/workflow';
import { generateImages } from '../generate-images/definition';
import { generateImagesWorkflow } from '../generate-images/workflow';
import { autoGenerateImages } from './definition';

const steps = proxyLocalActivities<Activities>({ ...DATABASE_STEP_OPTIONS, localRetryThreshold: LOCAL_RETRY_THRESHOLD });

/**
 * Where each child's progress lands in the composed one, so phases and percentage only move
 * forward: the prompts run covers INIT, PREP and the first half of AI_CALL; the images run the
 * second half of AI_CALL, then PARSE and SAVE.
 */
const STAGES: Record<string, { label: string; phase(child: Phase): Phase; percentage(child: number): number }> = {
  [generateImagePrompts.name]: {
    label: 'Image prompts',
    phase: (child) => (child === 'INIT' || child === 'PREP' ? child : 'AI_CALL'),
    percentage: (child) => (child <= 25 ? child : Math.round(25 + (child - 25) * 0.3)),
  },
  [generateImages.name]: {
    label: 'Images',
    phase: (child) => (child === 'PARSE' || child === 'SAVE' ? child : child === 'DONE' ? 'SAVE' : 'AI_CALL'),
    percentage: (child) => (child <= 70 ? Math.round(48 + (child * 22) / 70) : Math.min(child, 98)),
  },
};

/** Extracts the image prompts of each writer task's content, then generates the images: two child runs, one progress. */
export async function autoGenerateImagesWorkflow(input: RunInput): Promise<TaskResult> {
  // Its local activities (progress rows, its steps) one at a time, as the pipeline's: see oneAtATime.
  const inTurn = oneAtATime();
  const progress = new ProgressState((update) => inTurn(() => publishLive({ taskId: input.taskId, event: 'progress', update })));
  setHandler(taskProgressQuery, () => progress.snapshot());
  const children = new Map<string, TaskProgress>();
  const lastSeq = new Map<string, number>();
  setHandler(childProgressSignal, ({ child, progress: whole, update, seq }) => {
    const stage = STAGES[child];
    if (!stage) return;
    if (seq !== undefined) {
      // An answer older than one already taken (signals may overtake each other) changes nothing.
      if (seq <= (lastSeq.get(child) ?? 0)) return;
      lastSeq.set(child, seq);
    }
    const known = whole ?? (update ? applyProgressUpdate(children.get(child), update) : children.get(child));
    if (!known) return;
    children.set(child, known);
    progress.mirror(child, stage.label, known, stage.phase(known.meta.phase), stage.percentage(known.meta.percentage));
  });
  const child = (functionName: string, ids: number[]) => ({
    workflowId: `${input.taskId}-${functionName}`,
    args: [{ taskId: `${input.taskId}-${functionName}`, accountId: input.accountId, functionName, ids }] as [RunInput],
    staticSummary: `${functionName} of ${ids.length} item(s), part of ${input.taskId}`,
    typedSearchAttributes: [
      { key: AI_ACCOUNT, value: String(input.accountId) },
      { key: AI_FUNCTION, value: functionName },
      { key: AI_PHASE, value: 'INIT' },
      { key: AI_STATE, value: 'PENDING' },
    ],
  });

  try {
    upsertSearchAttributes([{ key: AI_STATE, value: 'PROGRESS' }]);
    progress.enter('INIT', autoGenerateImages.messages.INIT({ names: [], count: input.ids.length }));
    const tasks = await progress.step('request', 'Validate input', () => inTurn(() => steps.validateTasksWithContent(input)));
    const contentIds = tasks.contents.map((c) => c.contentId);

    const prompts = await executeChild(generateImagePromptsWorkflow, child(generateImagePrompts.name, contentIds));
    const extracted = new Set(prompts.items.filter((item) => item.status === 'success').map((item) => Number(item.id)));
    const { images } = await progress.step('request', 'Find images to generate', () =>
      inTurn(() => steps.findImagesToGenerate({ accountId: input.accountId, contentIds: contentIds.filter((id) => extracted.has(id)) })),
    );
    const drawn = images.length ? await executeChild(generateImagesWorkflow, child(generateImages.name, images.map((i) => i.imageId))) : undefined;

    progress.enter('DONE', autoGenerateImages.messages.DONE({ names: [], count: 0 }));
    upsertSearchAttributes([{ key: AI_PHASE, value: 'DONE' }]);
    const imagesOf = (contentId: number) => images.filter((image) => image.contentId === contentId).map((image) => image.imageId);
    const outcomeOf = (itemId: number, items: ItemOutcome[] | undefined) => items?.find((item) => Number(item.id) === itemId);
    const items: ItemOutcome[] = tasks.contents.map(({ taskId, contentId }) => {
      const failures = [outcomeOf(contentId, prompts.items), ...imagesOf(contentId).map((id) => outcomeOf(id, drawn?.items))].filter(
        (outcome) => outcome?.status === 'failed',
      );
      return failures.length ? { id: taskId, status: 'failed', error: failures[0]!.error } : { id: taskId, status: 'success' };
    });
    const promptsCreated = Number(prompts.prompts_created ?? 0);
    const imagesGenerated = Number(drawn?.images_generated ?? 0);
    const result: TaskResult = { count: imagesGenerated, prompts_created: promptsCreated, images_generated: imagesGenerated, items };
    await finish(localRunRecordSteps, progress, input, { status: 'success', result }, inTurn);
    progress.succeed(result);
    return result;
  } catch (err) {
    return endWithError(localRunRecordSteps, progress, input, err, undefined, inTurn);
  }
}
