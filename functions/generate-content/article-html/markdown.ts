import MarkdownIt from 'markdown-it';
import { KNOWN_TAGS } from './allow-list';

/**
 * The model's answer as HTML, rendered by markdown-it: markdown becomes HTML and the HTML the model
 * wrote passes through as it is (models mix both), for the sanitiser to judge. Nothing here is a
 * safety measure; everything rendered goes through the sanitiser.
 */

/** Fences whose content is article text, not code to show. */
const ARTICLE_FENCES: Readonly<Record<string, 'html' | 'markdown'>> = { html: 'html', xhtml: 'html', markdown: 'markdown', md: 'markdown' };
/** An answer that is nothing but one fence of these is the article itself. */
const WHOLE_ANSWER_FENCES = new Set(['', 'text', 'plain', ...Object.keys(ARTICLE_FENCES)]);

/** Renders an article fence's content. Fences inside it stay code, so no text is rendered twice over. */
const fenceContent = articleMarkdown();
const answer = articleMarkdown();
const renderFence = answer.renderer.rules.fence!;
answer.renderer.rules.fence = (tokens, idx, options, env, self) => {
  const fence = tokens[idx];
  const kind = ARTICLE_FENCES[fenceLanguage(fence.info)];
  if (kind === 'html') return fence.content;
  if (kind === 'markdown') return fenceContent.render(fence.content);
  fence.content = fence.content.replace(/\n$/, ''); // the fence's own line end, not the code's
  return renderFence(tokens, idx, options, env, self);
};

export function renderArticleMarkdown(text: string): string {
  const tokens = answer.parse(text, {});
  const only = tokens.length === 1 && tokens[0].type === 'fence' ? tokens[0] : undefined;
  if (only && WHOLE_ANSWER_FENCES.has(fenceLanguage(only.info))) return fenceContent.render(only.content);
  return answer.renderer.render(tokens, answer.options, {});
}

function articleMarkdown(): MarkdownIt {
  const md = new MarkdownIt({ html: true, linkify: false, typographer: false });
  // Models indent HTML and prose; CommonMark would show a 4-space indent after a blank line as
  // code. Code comes fenced.
  md.disable('code');
  // `<keyword>` in prose is text: only names of HTML elements are read as tags.
  md.renderer.rules.html_inline = (tokens, idx) => {
    const html = tokens[idx].content;
    const name = /^<\/?([a-zA-Z][a-zA-Z0-9-]*)/.exec(html)?.[1].toLowerCase();
    return name === undefined || KNOWN_TAGS.has(name) ? html : md.utils.escapeHtml(html);
  };
  return md;
}

function fenceLanguage(info: string): string {
  return info.trim().split(/\s+/, 1)[0].toLowerCase();
}
