import { ModelOutputError } from '../../activities/answer-parsing/parse-answer';
import { countWords, parseArticleAnswer } from '../../functions/generate-content/answer';
import { articlePromptValues, formatIdeaOutline, shortLabel, type ArticleTask } from '../../functions/generate-content/brief';
import { contentFields } from '../../functions/generate-content/content-row';

const OUTLINE = JSON.stringify({
  introduction: 'Why fit matters.',
  sections: [
    {
      heading: 'Choosing the Size',
      subsections: [
        { subheading: 'Measure Your Feet', content_type: 'paragraph', details: 'Measure in the evening.' },
        { subheading: 'Width', content_type: 'list', details: 'Narrow, regular, wide.' },
      ],
    },
    { heading: 'Breaking Them In', subsections: ['First Week'] },
  ],
  conclusion: 'Fit first, looks second.',
});

describe('formatIdeaOutline', () => {
  it('writes the ideas JSON as ## / ### / Content Type / Details lines', () => {
    expect(formatIdeaOutline(OUTLINE)).toBe(
      [
        'Introduction: Why fit matters.',
        '## Choosing the Size',
        '### Measure Your Feet',
        'Content Type: paragraph',
        'Details: Measure in the evening.',
        '### Width',
        'Content Type: list',
        'Details: Narrow, regular, wide.',
        '## Breaking Them In',
        '### First Week',
        'Conclusion: Fit first, looks second.',
      ].join('\n'),
    );
  });

  it('reads similar shapes: a bare list of sections with title/h3 keys', () => {
    expect(formatIdeaOutline('[{"title": "A", "subheadings": [{"h3": "A1", "type": "table"}]}, "B"]')).toBe(
      '## A\n### A1\nContent Type: table\n## B',
    );
  });

  it('uses plain text, and JSON that is no outline, as it is', () => {
    expect(formatIdeaOutline('  Cover sizing, then breaking in.  ')).toBe('Cover sizing, then breaking in.');
    expect(formatIdeaOutline('{"note": "x"}')).toBe('{"note": "x"}');
    expect(formatIdeaOutline('{broken')).toBe('{broken');
  });
});

describe('articlePromptValues', () => {
  const task: ArticleTask = {
    title: 'How to Choose Running Shoes',
    description: 'A buyer guide.',
    keywords: '',
    contentType: 'blog_post',
    contentStructure: 'supporting_page',
    idea: { description: OUTLINE, contentType: 'guide', contentStructure: 'cluster_hub', estimatedWordCount: 1800, targetKeywords: 'running shoes, shoe fit' },
    cluster: { name: 'Running Shoes', description: 'Shoes for runners', status: 'active' },
  };

  it('builds the idea block with the title line, the idea type and structure, word count and outline', () => {
    const values = articlePromptValues(task);
    expect(values.IDEA).toBe(
      [
        'Title: How to Choose Running Shoes',
        'Description: A buyer guide.',
        'Article Type: guide',
        'Structure: cluster_hub',
        'Estimated Word Count: 1800',
        `Outline:\n${formatIdeaOutline(OUTLINE)}`,
      ].join('\n'),
    );
    expect(values.CLUSTER).toBe('Cluster Name: Running Shoes\nDescription: Shoes for runners\nStatus: active');
    expect(values.KEYWORDS).toBe('running shoes, shoe fit');
  });

  it("prefers the task's keywords and type, and says when there is no cluster", () => {
    const values = articlePromptValues({ ...task, keywords: 'trail shoes', idea: null, cluster: null });
    expect(values.KEYWORDS).toBe('trail shoes');
    expect(values.CLUSTER).toBe('None');
    expect(values.IDEA).toBe('Title: How to Choose Running Shoes\nDescription: A buyer guide.\nArticle Type: blog_post\nStructure: supporting_page');
  });

  it("reads an outline kept in the task's own description instead of repeating its JSON", () => {
    const values = articlePromptValues({ ...task, description: OUTLINE, idea: null });
    expect(values.IDEA).not.toContain('"sections"');
    expect(values.IDEA).toContain('## Choosing the Size');
  });
});

describe('parseArticleAnswer', () => {
  const json = {
    title: 'Shoes',
    content: '<h2>Fit</h2><p>Try them on.</p>',
    meta_title: 'Shoes | Guide',
    meta_description: 'How to pick.',
    word_count: '1,200',
    primary_keyword: 'running shoes',
    secondary_keywords: 'shoe fit, Shoe Fit, trail shoes',
    tags: ['shoes', 'running'],
    categories: 'Gear',
    reading_time: 6,
    faq: [{ q: 'a', a: 'b' }],
  };

  it('maps the article JSON, turning comma strings into lists and keeping extra fields as metadata', () => {
    expect(parseArticleAnswer(JSON.stringify(json))).toEqual({
      format: 'json',
      html: '<h2>Fit</h2>\n<p>Try them on.</p>',
      wordCount: 1200,
      title: 'Shoes',
      metaTitle: 'Shoes | Guide',
      metaDescription: 'How to pick.',
      primaryKeyword: 'running shoes',
      secondaryKeywords: ['shoe fit', 'trail shoes'],
      tags: ['shoes', 'running'],
      categories: ['Gear'],
      metadata: { reading_time: 6, faq: [{ q: 'a', a: 'b' }] },
    });
  });

  it('reads JSON in a fence or after prose, and counts words when the answer gives none', () => {
    const parsed = parseArticleAnswer('Sure!\n```json\n{"title": "T", "content": "<p>one two three</p>", "word_count": null}\n```');
    expect(parsed).toMatchObject({ format: 'json', title: 'T', html: '<p>one two three</p>', wordCount: 3, tags: [] });
  });

  it('cleans the HTML inside JSON too', () => {
    const parsed = parseArticleAnswer(JSON.stringify({ content: '<p onclick="x()">Hi<script>bad()</script></p>' }));
    expect(parsed.html).toBe('<p>Hi</p>');
  });

  it('normalises a plain-text answer to HTML and counts its words', () => {
    const parsed = parseArticleAnswer('# Heading\r\n\r\nSome **text** here.\n\n- one\n- two');
    expect(parsed).toEqual({
      format: 'text',
      html: '<h2>Heading</h2>\n<p>Some <strong>text</strong> here.</p>\n<ul>\n<li>one</li>\n<li>two</li>\n</ul>',
      wordCount: 6,
      secondaryKeywords: [],
      tags: [],
      categories: [],
      metadata: {},
    });
  });

  it('reads a prose article quoting a JSON snippet as prose', () => {
    expect(parseArticleAnswer('Config files look like {"debug": true} in practice.').format).toBe('text');
  });

  it.each([
    ['an empty answer', '   ', 'The AI answer is empty'],
    ['JSON without content', '{"title": "Only a title"}', 'holds no article'],
    ['JSON with empty content', '{"content": "  "}', 'holds no article'],
    ['JSON cut short', '{"title": "T", "content": "<p>Long article that stops', 'does not parse (cut short by max_tokens?)'],
    ['a JSON list', '[{"content": "x"}]', 'JSON list'],
    ['content of the wrong type', '{"content": 42}', 'wrong shape at content'],
    ['nothing left once cleaned', '<script>only()</script>', 'no article text'],
  ])('refuses %s with a clear message', (_, answer, message) => {
    expect(() => parseArticleAnswer(answer)).toThrow(ModelOutputError);
    expect(() => parseArticleAnswer(answer)).toThrow(message);
  });
});

describe('countWords', () => {
  it('counts words of the text without tags; punctuation entities are no words, letter entities are letters', () => {
    const html = '<h2>Two words</h2><p>and&nbsp;three&amp;more &amp; &mdash; &#8212; caf&eacute; <strong>end</strong></p>';
    expect(countWords(html)).toBe(6);
    expect(countWords('')).toBe(0);
  });

  it('reads entities as the sanitiser does: a symbol is no word, an entity without its semicolon is still a letter', () => {
    expect(countWords('<p>&copy; &#169; &reg; caf&eacute &#x63;af&#xE9;s</p>')).toBe(2);
  });

  it('counts the words of deeply nested markup without running out of stack', () => {
    expect(countWords(`${'<b>'.repeat(100_000)}deep words${'</b>'.repeat(100_000)}`)).toBe(2);
  });
});

describe('contentFields', () => {
  const task = { title: 'Task title', description: 'Task description', metaTitle: null, metaDescription: null };
  const plain = parseArticleAnswer('Just text.');

  it("falls back to the task's title and description for a plain-text article", () => {
    expect(contentFields(plain, task)).toMatchObject({
      title: 'Task title',
      metaTitle: 'Task title',
      metaDescription: 'Task description',
      primaryKeyword: '',
      wordCount: 2,
      status: 'draft',
    });
  });

  it("uses the task's meta fields before the title and description", () => {
    expect(contentFields(plain, { ...task, metaTitle: 'Task meta', metaDescription: 'Task meta description' })).toMatchObject({
      metaTitle: 'Task meta',
      metaDescription: 'Task meta description',
    });
  });

  it("prefers the answer's own fields", () => {
    const article = parseArticleAnswer(JSON.stringify({ content: '<p>x</p>', title: 'A', meta_title: 'M', meta_description: 'D' }));
    expect(contentFields(article, { ...task, metaTitle: 'Task meta' })).toMatchObject({ title: 'A', metaTitle: 'M', metaDescription: 'D' });
  });
});

describe('shortLabel', () => {
  it('keeps short titles and cuts long ones at a word', () => {
    expect(shortLabel('  A   short\ntitle ')).toBe('A short title');
    const label = shortLabel('word '.repeat(40));
    expect(label.length).toBeLessThanOrEqual(80);
    expect(label).toMatch(/word…$/);
  });
});
