import { definePipelineFunction } from '../../pipeline/definition';
import { IDEAS_PROMPT } from './prompt';

/** Turns keyword clusters into content ideas: one AI request for the whole batch. */
export const generateIdeas = definePipelineFunction({
  name: 'generate_ideas',
  aliases: ['auto_generate_ideas'],
  displayName: 'Generate Ideas',
  description: 'Proposes content ideas (title, outline, type, structure, word count) for each cluster from its keywords.',
  workflowType: 'generateIdeasWorkflow',
  itemNoun: 'cluster',
  input: 'cluster',
  maxItems: 10,
  start: { path: '/api/v1/planner/clusters/auto_generate_ideas/' },
  startedMessage: 'Idea generation started',
  requestsPer: 'batch',
  prompts: { ideas: IDEAS_PROMPT },
  promptType: 'ideas',
  streamsText: false,
  activities: {
    validate: 'validateClusters',
    prepare: 'prepareIdeasPrompt',
    call: 'requestCompletion',
    parse: 'parseIdeas',
    save: 'saveIdeas',
  },
  messages: {
    INIT: () => 'Verifying cluster integrity',
    PREP: () => 'Loading cluster keywords',
    AI_CALL: () => 'Generating ideas with Igny8 Semantic AI',
    PARSE: ({ count }) => `${count} high-opportunity idea(s) generated`,
    SAVE: () => 'Content Outline for Ideas generated',
    DONE: () => 'Idea generation complete',
  },
});
