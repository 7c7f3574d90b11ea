import type { Cluster, ContentIdea, WriterTask } from '../../db/client';
import type { ActivityDeps } from '../../activities/deps';
import { invalidInputError } from '../../activities/failures';
import { parseAnswer, prepareRequests, saveItem, validateRows, type FunctionSteps } from '../../activities/function-steps';
import { fillPlaceholders, resolvePrompt } from '../../activities/prompts';
import { loadTextModelSettings, textCallCost, type TextModelSettings } from '../../activities/settings/text-model';
import { promptOf } from '../../pipeline/definition';
import type { CompletionRef, ParsedAnswer, PreparedRequest, PreparedRun, RunInput, SavedOutput, ValidatedInput } from '../../pipeline/run-io';
import { parseArticleAnswer, type ParsedArticle } from './answer';
import { articlePromptValues, shortLabel } from './brief';
import { generateContent } from './definition';
import { ARTICLE_JSON_INSTRUCTION, BRIEF_FOR_BARE_PROMPTS } from './prompt';
import { contentFields } from './content-row';

type WriterTaskRow = WriterTask & { cluster: Cluster | null; idea: ContentIdea | null };

/** generate_content's own steps: one AI request per writer task (in the order the run lists them), one Content per task. */
export const generateContentSteps: FunctionSteps<WriterTaskRow, ParsedArticle> = {
  rowsNoun: 'Writer tasks',

  async load(prisma, input) {
    const tasks = await prisma.writerTask.findMany({ where: { id: { in: input.ids }, accountId: input.accountId }, include: { cluster: true, idea: true } });
    const byId = new Map(tasks.map((t) => [t.id, t]));
    return input.ids.flatMap((id) => byId.get(id) ?? []);
  },

  nameOf: (task) => task.title,

  settings: (prisma, accountId) => loadTextModelSettings(prisma, accountId),

  maxCallCostUsd: textCallCost,

  /** Each task's prompt: its own `prompt_override`, else the run's template (start override → account → built-in). */
  async plan({ rows, template, settings }) {
    const { jsonMode } = settings as TextModelSettings;
    return rows.map((task) => {
      const own = task.promptOverride?.trim() ? task.promptOverride : template;
      const briefed = /\[IGNY8_IDEA\]|\{title\}/.test(own) ? own : own + BRIEF_FOR_BARE_PROMPTS;
      let prompt = fillPlaceholders(briefed, articlePromptValues(task));
      if (jsonMode && !/json/i.test(prompt)) prompt = `${prompt}\n\n${ARTICLE_JSON_INSTRUCTION}`;
      return { itemKey: String(task.id), itemId: task.id, label: shortLabel(task.title) || `Task ${task.id}`, prompt };
    });
  },

  /** The article stays in the database; the workflow hears only "1 article". */
  async parse({ request }) {
    return { parsed: parseArticleAnswer(request.responseText) as unknown as object, count: 1 };
  },

  /**
   * The task's one Content row (unique `task_id`: a rerun rewrites the article instead of adding a
   * second) as a draft, and the task marked completed.
   */
  async save(tx, { input, request, parsed }) {
    const taskId = request.itemId ?? Number(request.itemKey);
    const task = await tx.writerTask.findFirst({ where: { id: taskId, accountId: input.accountId } });
    if (!task) throw invalidInputError(`Writer task ${taskId} no longer exists; its article was not saved.`);
    const article = contentFields(parsed, task);
    // metadata came out of JSON (the stored answer), so it is JSON again.
    const fields = { ...article, metadata: article.metadata as object };
    const owner = { accountId: task.accountId, siteId: task.siteId, sectorId: task.sectorId };
    await tx.content.upsert({ where: { taskId: task.id }, create: { ...fields, ...owner, taskId: task.id }, update: { ...fields, ...owner } });
    await tx.writerTask.update({ where: { id: task.id }, data: { status: 'completed' } });
    return { count: 1, counters: { tasks_updated: 1, word_count: fields.wordCount } };
  },
};

/** The activity names runs of generate_content have always scheduled (recorded histories and open runs use them). */
export function createGenerateContentActivities(deps: ActivityDeps) {
  const steps = generateContentSteps;
  return {
    validateWriterTasks: (input: RunInput): Promise<ValidatedInput> => validateRows(deps, steps, input),
    prepareArticlePrompts: async (input: RunInput): Promise<PreparedRun> => {
      const { template } = await resolvePrompt(deps.prisma, input.accountId, promptOf(generateContent), input.promptOverride);
      return prepareRequests(deps, generateContent, steps, input, template);
    },
    parseArticle: (ref: CompletionRef): Promise<ParsedAnswer> => parseAnswer(deps, steps, ref),
    saveArticle: (input: RunInput, request: PreparedRequest): Promise<SavedOutput> => saveItem(deps, steps, input, request),
  };
}
