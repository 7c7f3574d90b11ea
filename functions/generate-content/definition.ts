import { definePipelineFunction } from '../../pipeline/definition';
import { CONTENT_PROMPT } from './prompt';

/** Writes one article per writer task: one AI request per task, the text streamed live. */
export const generateContent = definePipelineFunction({
  name: 'generate_content',
  aliases: [],
  displayName: 'Generate Content',
  description: "Writes an article for each writer task from its brief, its idea's outline and its cluster, saved as a draft.",
  workflowType: 'generateContentWorkflow',
  itemNoun: 'task',
  input: 'writerTask',
  maxItems: 50,
  start: { path: '/api/v1/writer/tasks/auto_generate_content/' },
  startedMessage: 'Content generation started',
  requestsPer: 'item',
  prompts: { content_generation: CONTENT_PROMPT },
  promptType: 'content_generation',
  streamsText: true,
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
});
