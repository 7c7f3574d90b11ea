import { definePipelineFunction } from '../../pipeline/definition';
import { IMAGE_PROMPT_EXTRACTION_PROMPT } from './prompt';

/** Extracts a featured and in-article image prompts from each content: one AI request per content. */
export const generateImagePrompts = definePipelineFunction({
  name: 'generate_image_prompts',
  aliases: [],
  displayName: 'Generate Image Prompts',
  description: "Reads each article and writes its image rows: a featured image and in-article images per enabled variant, each with a prompt.",
  workflowType: 'generateImagePromptsWorkflow',
  itemNoun: 'content',
  input: 'content',
  maxItems: 50,
  start: { path: '/api/v1/writer/content/generate_image_prompts/' },
  startedMessage: 'Image prompt extraction started',
  requestsPer: 'item',
  prompts: { image_prompt_extraction: IMAGE_PROMPT_EXTRACTION_PROMPT },
  promptType: 'image_prompt_extraction',
  streamsText: false,
  activities: {
    validate: 'validateContents',
    prepare: 'prepareImagePromptRequests',
    call: 'requestCompletion',
    parse: 'parseImagePrompts',
    save: 'saveImagePrompts',
  },
  messages: {
    INIT: () => 'Validating content',
    PREP: () => 'Preparing image prompt extraction',
    AI_CALL: () => 'Extracting image prompts',
    PARSE: () => 'Processing image prompts',
    SAVE: () => 'Saving image prompts',
    DONE: () => 'Image prompts complete',
  },
});
