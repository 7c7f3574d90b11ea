import OpenAI from 'openai';
import { startDemoProvider, type DemoProvider } from '../../tools/demo-provider/server';
import { ARTICLE_PROMPT, CLUSTER_KEYWORDS, IDEAS_PROMPT, clusteringPrompt, imagePromptsPrompt } from './prompts';

let provider: DemoProvider;
let openai: OpenAI;

beforeAll(async () => {
  provider = await startDemoProvider({ quiet: true });
  openai = new OpenAI({ apiKey: 'sk-demo-test-key', baseURL: `${provider.url}/v1`, maxRetries: 0 });
});
afterEach(() => provider.reset());
afterAll(() => provider.close());

async function complete(prompt: string, extra: Partial<OpenAI.ChatCompletionCreateParamsNonStreaming> = {}) {
  return openai.chat.completions.create({
    model: 'gpt-4o-mini',
    messages: [
      { role: 'system', content: 'You are an SEO assistant. Answer in JSON.' },
      { role: 'user', content: prompt },
    ],
    response_format: { type: 'json_object' },
    ...extra,
  });
}

describe('chat completions through the openai SDK', () => {
  it('answers a clustering prompt with every keyword in exactly one cluster', async () => {
    const completion = await complete(clusteringPrompt());
    const { clusters } = JSON.parse(completion.choices[0].message.content ?? '') as { clusters: Array<{ name: string; keywords: string[] }> };
    const placed = clusters.flatMap((cluster) => cluster.keywords);
    expect(placed).toHaveLength(CLUSTER_KEYWORDS.length);
    expect(new Set(placed)).toEqual(new Set(CLUSTER_KEYWORDS));
    expect(completion.model).toBe('gpt-4o-mini');
    expect(completion.id).toMatch(/^chatcmpl-[0-9a-f]+$/);
    expect(completion.choices[0].finish_reason).toBe('stop');
  });

  it('answers an ideas prompt with two ideas per cluster', async () => {
    const completion = await complete(IDEAS_PROMPT);
    const { ideas } = JSON.parse(completion.choices[0].message.content ?? '') as { ideas: Array<{ cluster_id: number; title: string }> };
    expect(ideas.map((idea) => idea.cluster_id)).toEqual([11, 11, 12, 12]);
  });

  it('answers an image prompt extraction with the number of prompts asked for', async () => {
    const completion = await complete(imagePromptsPrompt(4));
    const answer = JSON.parse(completion.choices[0].message.content ?? '') as { featured_prompt: string; in_article_prompts: string[] };
    expect(answer.featured_prompt).toContain('Cold Brew at Home');
    expect(answer.in_article_prompts).toHaveLength(4);
  });

  it('answers an article prompt in the article JSON shape', async () => {
    const completion = await complete(ARTICLE_PROMPT);
    const article = JSON.parse(completion.choices[0].message.content ?? '');
    expect(article).toEqual({
      title: 'Cold Brew at Home',
      content: expect.stringMatching(/^<p>.*<h2>/s),
      meta_title: expect.any(String),
      meta_description: expect.any(String),
      word_count: expect.any(Number),
      primary_keyword: 'cold brew coffee',
      secondary_keywords: expect.any(Array),
      tags: expect.any(Array),
      categories: ['Cold Brew'],
    });
  });

  it('counts tokens from the characters sent and received', async () => {
    const completion = await complete(ARTICLE_PROMPT);
    const sent = 'You are an SEO assistant. Answer in JSON.'.length + ARTICLE_PROMPT.length;
    expect(completion.usage).toMatchObject({
      prompt_tokens: Math.ceil(sent / 4),
      completion_tokens: Math.ceil((completion.choices[0].message.content ?? '').length / 4),
    });
    expect(completion.usage?.total_tokens).toBe((completion.usage?.prompt_tokens ?? 0) + (completion.usage?.completion_tokens ?? 0));
  });

  it('answers other prompts with a short plain-text echo', async () => {
    const completion = await openai.chat.completions.create({ model: 'local-llama', messages: [{ role: 'user', content: 'Say hello' }] });
    expect(completion.choices[0].message.content).toContain('Say hello');
    expect(completion.model).toBe('local-llama');
  });

  it('refuses JSON mode when no message mentions JSON, as OpenAI does', async () => {
    const request = openai.chat.completions.create({
      model: 'gpt-4o-mini',
      messages: [{ role: 'user', content: 'group these keywords' }],
      response_format: { type: 'json_object' },
    });
    await expect(request).rejects.toBeInstanceOf(OpenAI.BadRequestError);
  });

  it('streams the same text as the plain answer, then usage when include_usage is set', async () => {
    const plain = await complete(ARTICLE_PROMPT);
    const stream = await openai.chat.completions.create({
      model: 'gpt-4o-mini',
      messages: [
        { role: 'system', content: 'You are an SEO assistant. Answer in JSON.' },
        { role: 'user', content: ARTICLE_PROMPT },
      ],
      response_format: { type: 'json_object' },
      stream: true,
      stream_options: { include_usage: true },
    });
    let text = '';
    let contentChunks = 0;
    let role: string | undefined;
    let usage: OpenAI.CompletionUsage | null | undefined;
    for await (const chunk of stream) {
      role ??= chunk.choices[0]?.delta.role;
      const piece = chunk.choices[0]?.delta.content;
      if (piece) {
        text += piece;
        contentChunks += 1;
      }
      if (chunk.usage) {
        usage = chunk.usage;
        expect(chunk.choices).toEqual([]);
      }
    }
    expect(role).toBe('assistant');
    expect(text).toBe(plain.choices[0].message.content);
    expect(contentChunks).toBeGreaterThan(5);
    expect(usage).toEqual(plain.usage);
  });

  it('paces streamed chunks by streamChunkDelayMs', async () => {
    provider.settings({ streamChunkDelayMs: 20 });
    const started = Date.now();
    const stream = await openai.chat.completions.create({ model: 'm', messages: [{ role: 'user', content: 'x'.repeat(400) }], stream: true });
    let chunks = 0;
    for await (const chunk of stream) if (chunk.choices[0]?.delta.content) chunks += 1;
    expect(chunks).toBeGreaterThanOrEqual(2);
    expect(Date.now() - started).toBeGreaterThanOrEqual(chunks * 20 - 5);
  });
});

describe('answers shaped by behaviours', () => {
  it('returns prose instead of JSON once', async () => {
    provider.enqueue({ prose: true });
    const prose = await complete(ARTICLE_PROMPT);
    expect(() => JSON.parse(prose.choices[0].message.content ?? '')).toThrow();
    const next = await complete(ARTICLE_PROMPT);
    expect(() => JSON.parse(next.choices[0].message.content ?? '')).not.toThrow();
  });

  it('returns exactly the content given', async () => {
    provider.enqueue({ content: '{"clusters": []}' });
    const completion = await complete(clusteringPrompt());
    expect(completion.choices[0].message.content).toBe('{"clusters": []}');
  });

  it('returns an oversized article inside the article JSON', async () => {
    provider.enqueue({ oversizeBytes: 2_000_000 });
    const completion = await complete(ARTICLE_PROMPT);
    const article = JSON.parse(completion.choices[0].message.content ?? '') as { content: string; title: string };
    expect(Buffer.byteLength(article.content)).toBeGreaterThanOrEqual(2_000_000);
    expect(article.title).toBe('Cold Brew at Home');
  });
});

describe('image generation through the openai SDK', () => {
  it('returns n deterministic image URLs that serve a PNG', async () => {
    const first = await openai.images.generate({ model: 'dall-e-3', prompt: 'A jar of cold brew', n: 2, size: '1024x1024' });
    const again = await openai.images.generate({ model: 'dall-e-3', prompt: 'A jar of cold brew', n: 2, size: '1024x1024' });
    const urls = first.data?.map((image) => image.url) ?? [];
    expect(urls).toHaveLength(2);
    expect(new Set(urls).size).toBe(2);
    expect(again.data?.map((image) => image.url)).toEqual(urls);
    expect(urls[0]).toMatch(new RegExp(`^${provider.url}/images/[0-9a-f]+\\.png$`));
    expect(first.data?.[0].revised_prompt).toContain('A jar of cold brew');

    const image = await fetch(urls[0] ?? '');
    expect(image.headers.get('content-type')).toBe('image/png');
    const bytes = Buffer.from(await image.arrayBuffer());
    expect(bytes.subarray(0, 8)).toEqual(Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]));
  });
});
