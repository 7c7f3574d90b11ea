import { definePipelineFunction } from '../../pipeline/definition';

/** Draws the image of each image row with a prompt: one provider request per image. */
export const generateImages = definePipelineFunction({
  name: 'generate_images',
  aliases: [],
  displayName: 'Generate Images',
  description: 'Generates the image of each image row from its prompt with the configured provider (OpenAI or Runware).',
  workflowType: 'generateImagesWorkflow',
  itemNoun: 'image',
  input: 'image',
  maxItems: 200,
  start: { path: '/api/v1/writer/images/generate_images/' },
  startedMessage: 'Image generation started',
  requestsPer: 'item',
  prompts: {
    image_prompt_template: `{image_type} image for an article titled "{post_title}": {image_prompt}`,
    negative_prompt: `text, watermark, logo, blurry, low quality, distorted faces, extra limbs`,
  },
  promptType: 'image_prompt_template',
  streamsText: false,
  activities: {
    validate: 'validateImagePrompts',
    prepare: 'prepareImageRequests',
    call: 'requestImage',
    parse: 'parseImageResult',
    save: 'saveImage',
  },
  messages: {
    INIT: () => 'Validating image prompts',
    PREP: () => 'Preparing image generation',
    AI_CALL: () => 'Creating image(s) with AI',
    PARSE: () => 'Processing image response',
    SAVE: () => 'Saving generated image(s)',
    DONE: () => 'Image generation complete',
  },
});
