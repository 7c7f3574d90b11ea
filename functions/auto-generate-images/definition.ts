import { defineCompositeFunction } from '../../pipeline/definition';

/**
 * Images for writer tasks in one task: the image prompts of each task's content, then its images,
 * as two child runs (generate_image_prompts, then generate_images) whose progress is composed into one.
 */
export const autoGenerateImages = defineCompositeFunction({
  name: 'auto_generate_images',
  aliases: [],
  displayName: 'Generate Images for Tasks',
  description: "Extracts the image prompts of each writer task's content, then generates the images, in one task.",
  workflowType: 'autoGenerateImagesWorkflow',
  itemNoun: 'task',
  input: 'writerTask',
  maxItems: 50,
  start: { path: '/api/v1/writer/tasks/auto_generate_images/' },
  startedMessage: 'Image generation started',
  messages: {
    INIT: () => 'Validating tasks',
    PREP: () => 'Preparing image prompt extraction',
    AI_CALL: () => 'Creating image(s) with AI',
    PARSE: () => 'Processing image response',
    SAVE: () => 'Saving generated image(s)',
    DONE: () => 'Images for tasks complete',
  },
});
