import { z } from 'zod';
import { ModelOutputError } from '../../activities/answer-parsing/parse-answer';
import { fillPlaceholders } from '../../activities/prompts';

/**
 * generate_images' pure parts: the prompt an image model receives, an image row's label, and the
 * stored answer of an image provider read back.
 */

/** The prompt an image model receives: the `image_prompt_template` with its placeholders filled. */
export function formatImagePrompt(template: string, values: { imageType: string; postTitle: string; imagePrompt: string }): string {
  return fillPlaceholders(template, {
    image_type: values.imageType,
    post_title: values.postTitle,
    image_prompt: values.imagePrompt,
  }).trim();
}

/** "featured image of “Title”", "mobile image 2 of “Title”": progress labels and INIT names. */
export function imageLabel(image: { imageType: string; position: number }, title: string): string {
  const which = image.imageType === 'featured' ? 'featured image' : `${image.imageType} image ${image.position}`;
  const short = title.length > 60 ? `${title.slice(0, 57)}…` : title;
  return short ? `${which} of “${short}”` : which;
}

/** What AI_CALL stores for an image request (ai_requests.response_text). */
export const storedImageAnswerSchema = z.object({
  provider: z.string(),
  model: z.string(),
  image_url: z
    .string()
    .refine((url) => /^https?:\/\/\S+$/i.test(url) || url.startsWith('data:image/'), 'expected an http(s) or data:image URL')
    .optional(),
  cost: z.number().nonnegative(),
  revised_prompt: z.string().optional(),
});
export type StoredImageAnswer = z.infer<typeof storedImageAnswerSchema>;
export type GeneratedImage = StoredImageAnswer & { image_url: string };

/** Reads the stored provider answer; an answer without an image URL is the provider's failure to draw one. */
export function parseStoredImageAnswer(text: string): GeneratedImage {
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch {
    throw new ModelOutputError('The stored image answer is not JSON: expected {"provider", "model", "image_url", "cost"}.');
  }
  const parsed = storedImageAnswerSchema.safeParse(json);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    throw new ModelOutputError(`The image answer has the wrong shape at ${issue.path.join('.') || 'the top'} (${issue.message}).`);
  }
  if (!parsed.data.image_url) {
    throw new ModelOutputError(`The image provider (${parsed.data.provider}, ${parsed.data.model}) answered without an image URL.`);
  }
  return { ...parsed.data, image_url: parsed.data.image_url };
}
