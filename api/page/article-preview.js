// A saved article: its HTML is the API's `html_content`, which the API sanitises when it saves
// it (only article markup, no script, no event attributes); the page's Content-Security-Policy
// runs no inline script either way.
import { el } from './dom.js';

export function articlePreview(content, { open = true } = {}) {
  const body = el('div', { class: 'article-body' });
  body.innerHTML = content.html_content ?? '';
  return el(
    'details',
    { class: 'article', open },
    el('summary', {}, `${content.title} (${content.word_count} words)`),
    el('article', { class: 'article-preview', 'aria-label': `Article: ${content.title}` }, body),
  );
}
