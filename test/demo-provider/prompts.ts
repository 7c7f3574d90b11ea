/** Prompts in the line formats the service writes (docs/functions.md), for the demo provider's tests. */

export const CLUSTER_KEYWORDS = [
  'best coffee grinder',
  'coffee grinder burr',
  'cold brew coffee',
  'cold brew coffee ratio',
  'coffee beans for espresso',
  'espresso machine',
  'espresso coffee beans',
  'how to descale coffee maker',
  'coffee (decaf) health',
  'Pour Over Kettle',
];

export function clusteringPrompt(keywords: readonly string[] = CLUSTER_KEYWORDS): string {
  const lines = keywords.map((keyword, i) => `- ${keyword} (Volume: ${(i + 1) * 100}, Difficulty: ${i * 7}, Intent: ${i % 2 ? 'commercial' : 'informational'})`);
  return [
    'Analyze the keywords below and group them into topic clusters.',
    'Return only JSON: {"clusters": [{"name": "...", "description": "...", "keywords": ["..."]}]}',
    '',
    ...lines,
  ].join('\n');
}

export const IDEAS_PROMPT = [
  'Generate content ideas for each cluster. Return JSON {"ideas": [{"title": "...", "description": {}, "cluster_id": 0}]}',
  'Clusters:',
  'Cluster ID: 11 | Name: Cold Brew | Description: Making cold brew at home',
  'Cluster ID: 12 | Name: Espresso | Description: Espresso machines and beans',
  'Cluster keywords:',
  'Cluster ID: 11 | Name: Cold Brew | Keywords: cold brew coffee, cold brew coffee ratio',
  'Cluster ID: 12 | Name: Espresso | Keywords: espresso machine, espresso coffee beans, coffee beans for espresso',
].join('\n');

export const ARTICLE_PROMPT = [
  'Write an article. Return JSON with "title", "content" (HTML), "meta_title", "meta_description", "word_count".',
  'Title: Cold Brew at Home',
  'Keywords: cold brew coffee, cold brew coffee ratio, iced coffee',
  'Cluster: Cold Brew',
  'Outline:',
  '## Choosing the Beans',
  '### Roast level',
  'Content Type: paragraph',
  '## Getting the Ratio Right',
  '## Storing Cold Brew',
  '## Serving Ideas',
].join('\n');

export function imagePromptsPrompt(maxImages?: number): string {
  return [
    'Extract image prompts from the article. Return JSON {"featured_prompt": "...", "in_article_prompts": ["..."]}.',
    maxImages === undefined ? '' : `Give max ${maxImages} in-article prompts.`,
    'Title: Cold Brew at Home',
    '<p>Intro</p><h2>Choosing the Beans</h2><p>…</p><h2 class="x">Getting the <em>Ratio</em> Right</h2><p>…</p>',
  ].join('\n');
}
