import { ModelOutputError } from '../../activities/answer-parsing/parse-answer';
import { DEFAULT_PROMPTS } from '../../functions';
import { articleForPrompt, imageRowsFor, parseImagePrompts } from '../../functions/generate-image-prompts/answer';
import { formatImagePrompt, imageLabel, parseStoredImageAnswer } from '../../functions/generate-images/answer';

describe('parseImagePrompts reads the extraction answer', () => {
  const answer = { featured_prompt: 'A runner at dawn', in_article_prompts: ['Shoes on a track', 'A stretching routine', 'A finish line'] };

  it('reads featured and in-article prompts, keeping at most the account limit', () => {
    expect(parseImagePrompts(JSON.stringify(answer), 2)).toEqual({
      featured_prompt: 'A runner at dawn',
      in_article_prompts: ['Shoes on a track', 'A stretching routine'],
    });
    expect(parseImagePrompts(JSON.stringify(answer), 0).in_article_prompts).toEqual([]);
  });

  it('finds the JSON inside a fence or after prose', () => {
    const fenced = `Here you go:\n\`\`\`json\n${JSON.stringify(answer)}\n\`\`\``;
    expect(parseImagePrompts(fenced, 5).in_article_prompts).toHaveLength(3);
  });

  it('accepts the featured_image_prompt / in_article_image_prompts alias and {prompt} items', () => {
    const alias = { featured_image_prompt: '  A trail in fog ', in_article_image_prompts: [{ prompt: 'Muddy shoes' }, '  ', 'A map'] };
    expect(parseImagePrompts(JSON.stringify(alias), 5)).toEqual({ featured_prompt: 'A trail in fog', in_article_prompts: ['Muddy shoes', 'A map'] });
  });

  it('treats missing in-article prompts as none', () => {
    expect(parseImagePrompts('{"featured_prompt": "Only this"}', 3)).toEqual({ featured_prompt: 'Only this', in_article_prompts: [] });
  });

  it('names what was expected when the featured prompt is missing or the answer is not JSON', () => {
    expect(() => parseImagePrompts('{"in_article_prompts": ["a"]}', 3)).toThrow(ModelOutputError);
    expect(() => parseImagePrompts('{"in_article_prompts": ["a"]}', 3)).toThrow(/at featured_prompt.*expected \{"featured_prompt"/);
    expect(() => parseImagePrompts('{"featured_prompt": "  "}', 3)).toThrow(/featured_prompt must not be empty/);
    expect(() => parseImagePrompts('I cannot help with that.', 3)).toThrow(/not JSON: expected \{"featured_prompt"/);
  });
});

describe('articleForPrompt keeps prompts bounded', () => {
  it('keeps the headings and text, drops attributes, scripts, styles and comments', () => {
    const html = '<h2 class="x" id="y">Pick shoes</h2>\n  <p style="color:red">Fit   matters.</p><script>alert(1)</script><style>p{}</style><!-- note --><img src="a.png" />';
    expect(articleForPrompt(html)).toBe('<h2>Pick shoes</h2>\n<p>Fit matters.</p><img/>');
  });

  it('cuts a long article at the end of a tag, within the limit', () => {
    const html = Array.from({ length: 200 }, (_, i) => `<p>Paragraph ${i}</p>`).join('');
    const cut = articleForPrompt(html, 100);
    expect(cut.length).toBeLessThanOrEqual(100);
    expect(cut.endsWith('>')).toBe(true);
    expect(html.startsWith(cut)).toBe(true);
  });
});

describe('imageRowsFor lays out a content’s image rows', () => {
  const prompts = { featured_prompt: 'F', in_article_prompts: ['A', 'B'] };

  it('has the featured image at 0, then each in-article prompt once per enabled variant', () => {
    expect(imageRowsFor(prompts, ['desktop', 'mobile'])).toEqual([
      { imageType: 'featured', position: 0, prompt: 'F' },
      { imageType: 'desktop', position: 1, prompt: 'A' },
      { imageType: 'mobile', position: 1, prompt: 'A' },
      { imageType: 'desktop', position: 2, prompt: 'B' },
      { imageType: 'mobile', position: 2, prompt: 'B' },
    ]);
  });

  it('keeps only the featured image when no variant is enabled', () => {
    expect(imageRowsFor(prompts, [])).toEqual([{ imageType: 'featured', position: 0, prompt: 'F' }]);
  });
});

describe('image prompt formatting and labels', () => {
  it('fills the image_prompt_template placeholders, leaving braces in the prompt alone', () => {
    const prompt = formatImagePrompt(DEFAULT_PROMPTS.image_prompt_template, {
      imageType: 'realistic',
      postTitle: 'Trail Running 101',
      imagePrompt: 'a trail with a sign reading {title}',
    });
    expect(prompt).toBe('realistic image for an article titled "Trail Running 101": a trail with a sign reading {title}');
  });

  it('labels images by type, position and a short title', () => {
    expect(imageLabel({ imageType: 'featured', position: 0 }, 'Trail Running')).toBe('featured image of “Trail Running”');
    expect(imageLabel({ imageType: 'mobile', position: 2 }, 'x'.repeat(100))).toBe(`mobile image 2 of “${'x'.repeat(57)}…”`);
  });
});

describe('parseStoredImageAnswer reads what AI_CALL stored', () => {
  const stored = { provider: 'runware', model: 'runware:97@1', image_url: 'https://im.runware.ai/image/a.webp', cost: 0.0038 };

  it('returns the image with its URL', () => {
    expect(parseStoredImageAnswer(JSON.stringify(stored))).toEqual(stored);
    const dataUrl = { ...stored, image_url: 'data:image/png;base64,iVBORw0KGgo=' };
    expect(parseStoredImageAnswer(JSON.stringify(dataUrl)).image_url).toBe(dataUrl.image_url);
  });

  it('fails as model output when the provider gave no URL, or something that is not one', () => {
    const { image_url: _, ...withoutUrl } = stored;
    expect(() => parseStoredImageAnswer(JSON.stringify(withoutUrl))).toThrow('The image provider (runware, runware:97@1) answered without an image URL.');
    expect(() => parseStoredImageAnswer(JSON.stringify({ ...stored, image_url: 'not a url' }))).toThrow(/at image_url/);
    expect(() => parseStoredImageAnswer('<html>')).toThrow(ModelOutputError);
  });
});
