import type { PromptType } from '../pipeline/definition';

/**
 * Built-in prompts, the last step of prompt resolution (task override → account prompt → these).
 * Placeholders `[IGNY8_*]` are filled from the function's data.
 */
export const DEFAULT_PROMPTS: Record<PromptType, string> = {
  clustering: `You are an SEO strategist. Group the keywords below into semantic clusters: keywords that one
page or one topic hub could target together. Use every keyword exactly once, with its exact text.

Keywords:
[IGNY8_KEYWORDS]

Answer with JSON only, in this format:
{"clusters": [{"name": "Cluster name", "description": "What the cluster covers and the searcher's intent", "keywords": ["keyword 1", "keyword 2"]}]}`,

  ideas: `You are a content strategist. For each keyword cluster below, propose content ideas that would
rank for its keywords.

Clusters:
[IGNY8_CLUSTERS]

Keywords per cluster:
[IGNY8_CLUSTER_KEYWORDS]

Answer with JSON only, in this format:
{"ideas": [{"title": "…", "description": {"introduction": "…", "sections": [{"heading": "H2", "subsections": [{"subheading": "H3", "content_type": "paragraph", "details": "…"}]}]}, "content_type": "blog_post", "content_structure": "cluster_hub | supporting_page", "cluster_id": 1, "cluster_name": "…", "estimated_word_count": 1500, "covered_keywords": "keyword 1, keyword 2"}]}`,

  content_generation: `You are an expert writer. Write a complete, well-structured article in HTML (h2, h3, p, ul/li)
for the brief below.

[IGNY8_IDEA]

Cluster:
[IGNY8_CLUSTER]

Keywords: [IGNY8_KEYWORDS]

Answer with JSON only, in this format:
{"title": "…", "content": "<h2>…</h2><p>…</p>", "meta_title": "…", "meta_description": "…", "word_count": 1500, "primary_keyword": "…", "secondary_keywords": ["…"], "tags": ["…"], "categories": ["…"]}`,

  image_prompt_extraction: `Read the article below and write prompts for its images: one featured image and up to
{max_images} in-article images, each a vivid one-sentence description of a photograph or illustration.

Title: {title}

{content}

Answer with JSON only, in this format:
{"featured_prompt": "…", "in_article_prompts": ["…"]}`,

  image_prompt_template: `{image_type} image for an article titled "{post_title}": {image_prompt}`,

  negative_prompt: `text, watermark, logo, blurry, low quality, distorted faces, extra limbs`,
};

/**
 * Replaces `[IGNY8_NAME]` and `{name}` placeholders in one pass, so text filled in (keywords, an
 * article) is never scanned for placeholders itself; unknown placeholders are left as they are.
 */
export function fillPlaceholders(template: string, values: Record<string, string>): string {
  return template.replace(/\[IGNY8_([A-Z_]+)\]|\{([a-z_]+)\}/g, (whole, upper?: string, lower?: string) => {
    const value = values[(upper ?? lower)!];
    return value ?? whole;
  });
}
