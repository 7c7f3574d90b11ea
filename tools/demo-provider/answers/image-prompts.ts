import type { z } from 'zod';
import type { imagePromptListSchema } from '../../../functions/generate-image-prompts/answer';
import { pick, seedOf, sentenceCase } from './text';

/** The image prompt extraction answer, typed by the schema generate_image_prompts parses it with. */
export type ImagePromptsAnswer = z.input<typeof imagePromptListSchema> & { in_article_prompts: string[] };

const STYLES = [
  'photorealistic, soft natural light, shallow depth of field',
  'clean editorial photography, bright and airy, balanced composition',
  'warm documentary style, candid moment, natural colours',
];

const ANGLES = ['a close-up detail of', 'a wide establishing shot of', 'an overhead view of', 'a hands-on scene showing'];

/**
 * Prompts a writer would hand to an image model: the featured image from the title, one in-article
 * image per `<h2>` section (cycling through the sections, from a new angle, when more are asked for).
 */
export function imagePromptsForArticle(title: string, headings: readonly string[], count: number): ImagePromptsAnswer {
  const seed = seedOf(title);
  const style = pick(STYLES, seed);
  const sections = headings.length > 0 ? headings : [title];
  const inArticle = Array.from({ length: count }, (_, index) => {
    const heading = sections[index % sections.length];
    const angle = sentenceCase(pick(ANGLES, seed, index));
    return `${angle} the subject of the section "${heading}" in an article titled "${title}"; ${style}; no text or logos`;
  });
  return {
    featured_prompt:
      `Featured image for the article "${title}": an inviting scene that sums up the article at a glance; ` +
      `${style}; wide 16:9 framing; no text or logos`,
    in_article_prompts: inArticle,
  };
}
