import { definePipelineFunction, validatingMessage } from '../../pipeline/definition';
import { CLUSTERING_PROMPT } from './prompt';

/** Groups keywords into semantic clusters: one AI request for the whole batch. */
export const autoCluster = definePipelineFunction({
  name: 'auto_cluster',
  aliases: [],
  displayName: 'Auto Cluster Keywords',
  description: 'Groups keywords into semantic clusters, creating or reusing clusters and mapping each keyword to one.',
  workflowType: 'autoClusterWorkflow',
  itemNoun: 'keyword',
  input: 'keyword',
  maxItems: 20,
  start: { path: '/api/v1/planner/keywords/auto_cluster/', takesSectorId: true },
  startedMessage: 'Clustering started',
  requestsPer: 'batch',
  prompts: { clustering: CLUSTERING_PROMPT },
  promptType: 'clustering',
  streamsText: false,
  activities: {
    validate: 'validateKeywords',
    prepare: 'prepareClusteringPrompt',
    call: 'requestCompletion',
    parse: 'parseClusters',
    save: 'saveClusters',
  },
  messages: {
    INIT: ({ names, count }) => validatingMessage(names, count, 'keyword'),
    PREP: ({ count }) => `Loading ${count} keyword(s)`,
    AI_CALL: () => 'Generating clusters with Igny8 Semantic SEO Model',
    PARSE: ({ count }) => `${count} cluster(s) created`,
    SAVE: ({ count }) => `Saving ${count} cluster(s)`,
    DONE: () => 'Clustering complete',
  },
});
