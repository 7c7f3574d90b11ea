import {
  answerContent,
  buildArticleAnswer,
  buildClustersAnswer,
  buildIdeasAnswer,
  buildImagePromptsAnswer,
  buildProseAnswer,
  detectAnswerKind,
} from '../../tools/demo-provider/answers';
import { countWords } from '../../tools/demo-provider/answers/text';
import { ARTICLE_PROMPT, CLUSTER_KEYWORDS, IDEAS_PROMPT, clusteringPrompt, imagePromptsPrompt } from './prompts';

describe('which answer a prompt gets', () => {
  it('follows the order clusters, ideas, image prompts, article, echo', () => {
    expect(detectAnswerKind('{"clusters": [], "ideas": []}')).toBe('clusters');
    expect(detectAnswerKind('{"ideas": [{"title": "", "content": ""}]}')).toBe('ideas');
    expect(detectAnswerKind('{"featured_prompt": ""} for {"title": "x", "content": "<h2>"}')).toBe('image_prompts');
    expect(detectAnswerKind('{"meta_title": ""}')).toBe('article');
    expect(detectAnswerKind('{"title": "", "content": ""}')).toBe('article');
    expect(detectAnswerKind('{"title": ""}')).toBe('echo');
    expect(detectAnswerKind('say hello')).toBe('echo');
  });

  it('reads the system messages too', () => {
    expect(answerContent({ system: 'Answer as JSON {"clusters": []}', user: '- tea (Volume: 1, Difficulty: 1, Intent: informational)' }).kind).toBe('clusters');
  });

  it('gives the same content for the same prompt', () => {
    const conversation = { system: '', user: ARTICLE_PROMPT };
    expect(answerContent(conversation).content).toBe(answerContent(conversation).content);
  });
});

describe('clustering answer', () => {
  it('puts every listed keyword in exactly one cluster, with its exact spelling', () => {
    const { clusters } = buildClustersAnswer(clusteringPrompt());
    const placed = clusters.flatMap((cluster) => cluster.keywords);
    expect([...placed].sort()).toEqual([...CLUSTER_KEYWORDS].sort());
  });

  it('groups by shared topic words under distinct, title-cased names', () => {
    const { clusters } = buildClustersAnswer(clusteringPrompt());
    const byName = Object.fromEntries(clusters.map((cluster) => [cluster.name, cluster.keywords]));
    expect(byName['Cold Brew']).toEqual(['cold brew coffee', 'cold brew coffee ratio']);
    expect(byName['Coffee Grinder']).toEqual(['best coffee grinder', 'coffee grinder burr']);
    for (const cluster of clusters) {
      expect(cluster.name).toMatch(/^[A-Z0-9]/);
      expect(cluster.description.length).toBeGreaterThan(20);
    }
    expect(new Set(clusters.map((cluster) => cluster.name.toLowerCase())).size).toBe(clusters.length);
  });

  it('lists a keyword given twice (in any case) once', () => {
    const { clusters } = buildClustersAnswer(clusteringPrompt(['green tea', 'Green Tea', 'black tea']));
    expect(clusters.flatMap((cluster) => cluster.keywords)).toEqual(['green tea', 'black tea']);
  });
});

describe('ideas answer', () => {
  it('gives a hub and a supporting idea for each listed cluster', () => {
    const { ideas } = buildIdeasAnswer(IDEAS_PROMPT);
    expect(ideas).toHaveLength(4);
    expect(ideas.map((idea) => [idea.cluster_id, idea.content_structure])).toEqual([
      [11, 'cluster_hub'],
      [11, 'supporting_page'],
      [12, 'cluster_hub'],
      [12, 'supporting_page'],
    ]);
    expect(ideas[0]).toMatchObject({
      cluster_name: 'Cold Brew',
      content_type: 'blog_post',
      estimated_word_count: 1500,
      covered_keywords: 'cold brew coffee, cold brew coffee ratio',
    });
    expect(ideas[1].estimated_word_count).toBe(1200);
    for (const idea of ideas) {
      expect(idea.description.introduction).toEqual(expect.any(String));
      expect(idea.description.sections[0].subsections[0]).toEqual({
        subheading: expect.any(String),
        content_type: expect.stringMatching(/^(paragraph|list|table)$/),
        details: expect.any(String),
      });
    }
  });
});

describe('image prompt extraction answer', () => {
  it('gives as many in-article prompts as "max N" asks, from the title and the h2 sections', () => {
    const answer = buildImagePromptsAnswer(imagePromptsPrompt(5));
    expect(answer.featured_prompt).toContain('Cold Brew at Home');
    expect(answer.in_article_prompts).toHaveLength(5);
    expect(answer.in_article_prompts[0]).toContain('Choosing the Beans');
    expect(answer.in_article_prompts[1]).toContain('Getting the Ratio Right');
  });

  it('reads "up to N" and otherwise gives 3', () => {
    expect(buildImagePromptsAnswer('{"featured_prompt"} Up to 2 images. Title: X').in_article_prompts).toHaveLength(2);
    expect(buildImagePromptsAnswer('{"featured_prompt"} one featured image and up to\n4 in-article images').in_article_prompts).toHaveLength(4);
    expect(buildImagePromptsAnswer(imagePromptsPrompt()).in_article_prompts).toHaveLength(3);
  });
});

describe('article answer', () => {
  it('uses the title and outline, and counts its own words', () => {
    const article = buildArticleAnswer(ARTICLE_PROMPT);
    expect(article.title).toBe('Cold Brew at Home');
    expect(article.primary_keyword).toBe('cold brew coffee');
    expect(article.secondary_keywords).toEqual(['cold brew coffee ratio', 'iced coffee']);
    expect(article.categories).toEqual(['Cold Brew']);
    expect([...article.content.matchAll(/<h2>(.*?)<\/h2>/g)].map(([, h]) => h)).toEqual([
      'Choosing the Beans',
      'Getting the Ratio Right',
      'Storing Cold Brew',
      'Serving Ideas',
    ]);
    expect(article.word_count).toBe(countWords(article.content));
    expect(article.word_count).toBeGreaterThanOrEqual(300);
    expect(article.word_count).toBeLessThanOrEqual(600);
    expect(article.meta_title.length).toBeLessThanOrEqual(60);
    expect(article.meta_description.length).toBeLessThanOrEqual(160);
  });

  it('grows to the requested size with well-formed HTML', () => {
    const article = buildArticleAnswer(ARTICLE_PROMPT, { minBytes: 300_000 });
    const bytes = Buffer.byteLength(article.content);
    expect(bytes).toBeGreaterThanOrEqual(300_000);
    expect(bytes).toBeLessThan(302_000);
    const opened = article.content.match(/<(h2|p)>/g)?.length;
    expect(article.content.match(/<\/(h2|p)>/g)?.length).toBe(opened);
    expect(article.word_count).toBe(countWords(article.content));
  });

  it('as prose, carries the article text without any JSON', () => {
    const prose = buildProseAnswer(ARTICLE_PROMPT);
    expect(prose).toContain('Cold Brew at Home');
    expect(prose).not.toMatch(/[{}]/);
    expect(() => JSON.parse(prose)).toThrow();
  });
});
