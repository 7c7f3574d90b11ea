import type { PrismaClient } from '../../db/client';
import type { CompletionRef, ParsedAnswer, PreparedRun, RunInput, ValidatedInput } from '../../pipeline/run-io';
import { parseArticleAnswer } from './answer';
import { articlePromptValues, shortLabel } from './brief';
import type { ActivityDeps } from '../../activities/deps';
import { loadTextModelSettings } from '../../activities/settings/text-model';
import { fillPlaceholders, resolvePrompt } from '../../activities/prompts';
import { promptOf } from '../../pipeline/definition';
import { generateContent } from './definition';
import { ARTICLE_JSON_INSTRUCTION, BRIEF_FOR_BARE_PROMPTS } from './prompt';
import { markRunStarted } from '../../activities/run-record';
import { parseStoredAnswer, requireAll, storePreparedRequest } from '../../activities/ai-requests';
import { createSaveArticle } from './save-article';

/** The run's writer tasks, as the account owns them, in the order the run lists them. */
async function loadWriterTasks(prisma: PrismaClient, input: RunInput) {
  const tasks = await prisma.writerTask.findMany({
    where: { id: { in: input.ids }, accountId: input.accountId },
    include: { cluster: true, idea: true },
  });
  const byId = new Map(requireAll(input.ids, tasks, 'Writer tasks').map((t) => [t.id, t]));
  return input.ids.map((id) => byId.get(id)!);
}

/** generate_content's activities: one AI request per writer task, one Content per task. */
export function createGenerateContentActivities(deps: ActivityDeps) {
  const { prisma } = deps;
  async function validateWriterTasks(input: RunInput): Promise<ValidatedInput> {
    await markRunStarted(prisma, input.taskId);
    const tasks = await loadWriterTasks(prisma, input);
    await loadTextModelSettings(prisma, input.accountId);
    return { names: tasks.slice(0, 3).map((t) => t.title), count: tasks.length };
  }

  /**
   * Builds and stores each task's prompt. Resolution per task: the task's own `prompt_override`,
   * then the start request's, then the account's `content_generation` prompt, then the default.
   */
  async function prepareArticlePrompts(input: RunInput): Promise<PreparedRun> {
    const tasks = await loadWriterTasks(prisma, input);
    const settings = await loadTextModelSettings(prisma, input.accountId);
    const shared = await resolvePrompt(prisma, input.accountId, promptOf(generateContent), input.promptOverride);
    const requests = [];
    for (const task of tasks) {
      const template = task.promptOverride?.trim() ? task.promptOverride : shared.template;
      const briefed = /\[IGNY8_IDEA\]|\{title\}/.test(template) ? template : template + BRIEF_FOR_BARE_PROMPTS;
      let prompt = fillPlaceholders(briefed, articlePromptValues(task));
      if (settings.jsonMode && !/json/i.test(prompt)) prompt = `${prompt}\n\n${ARTICLE_JSON_INSTRUCTION}`;
      const itemKey = String(task.id);
      await storePreparedRequest(prisma, {
        taskId: input.taskId,
        itemKey,
        accountId: input.accountId,
        functionName: input.functionName,
        promptType: generateContent.promptType,
        prompt,
      });
      requests.push({ itemKey, itemId: task.id, label: shortLabel(task.title) || `Task ${task.id}`, promptChars: prompt.length });
    }
    return { count: tasks.length, requests };
  }

  /** Reads one task's answer; the article stays in the database, the workflow hears only "1 article". */
  async function parseArticle(ref: CompletionRef): Promise<ParsedAnswer> {
    await parseStoredAnswer(prisma, ref, parseArticleAnswer);
    return { count: 1 };
  }

  return { validateWriterTasks, prepareArticlePrompts, parseArticle, saveArticle: createSaveArticle(deps) };
}
