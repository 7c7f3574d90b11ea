/**
 * What a saved article may hold, written once. The sanitiser is configured from these lists alone;
 * the markdown reader and the layout step only read them.
 */

/** The article's tags: every element of a saved article is one of these. */
export const ARTICLE_TAGS = ['h2', 'h3', 'h4', 'p', 'ul', 'ol', 'li', 'blockquote', 'pre', 'code', 'strong', 'em', 'a', 'br'] as const;
export type ArticleTag = (typeof ARTICLE_TAGS)[number];

/** Near misses, kept under the article's name for them. */
export const RENAMED_TAGS: Readonly<Record<string, ArticleTag>> = { h1: 'h2', h5: 'h4', h6: 'h4', b: 'strong', i: 'em' };

/** Layout wrappers become paragraphs, so the text of table cells or of divs side by side stays apart. */
export const PARAGRAPH_TAGS: readonly string[] = [
  'div', 'section', 'article', 'main', 'header', 'footer', 'nav', 'aside', 'address', 'hr',
  'table', 'caption', 'thead', 'tbody', 'tfoot', 'tr', 'td', 'th',
  'figure', 'figcaption', 'dl', 'dt', 'dd', 'form', 'fieldset', 'details', 'summary',
];

/** Dropped with everything inside them: code, styles, embedded documents, drawings and form controls. */
export const DROPPED_WITH_CONTENT: readonly string[] = [
  'script', 'style', 'head', 'title', 'iframe', 'object', 'embed', 'noscript', 'noembed', 'noframes',
  'template', 'svg', 'math', 'canvas', 'textarea', 'select', 'option', 'xmp',
];

/** The only attributes kept, on links only. */
export const LINK_ATTRIBUTES: readonly string[] = ['href', 'title'];

/** A link's target must resolve (WHATWG URL) to one of these; a relative target resolves to https. */
export const LINK_PROTOCOLS: readonly string[] = ['http:', 'https:', 'mailto:'];

/**
 * Other HTML a model writes in prose (`<span>`, `<u>`, `<img>` …). Nothing here is kept: the
 * sanitiser unwraps these like any tag outside the lists above. The markdown reader uses the name
 * to tell a tag from text that only looks like one (`<keyword>`).
 */
const UNWRAPPED_TAGS = [
  'html', 'body', 'span', 'u', 's', 'small', 'big', 'sup', 'sub', 'mark', 'font', 'abbr', 'cite', 'q', 'del', 'ins', 'time',
  'label', 'button', 'input', 'img', 'picture', 'source', 'video', 'audio', 'meta', 'link', 'base', 'center', 'kbd', 'var',
  'samp', 'tt', 'wbr', 'nobr', 'dfn', 'bdi', 'bdo', 'data', 'ruby', 'rt', 'rp', 'col', 'colgroup', 'map', 'area',
  'frame', 'frameset', 'plaintext', 'dialog', 'menu', 'output', 'progress', 'meter', 'legend', 'optgroup', 'datalist',
];

/** Every name read as a tag when it appears in markdown prose. */
export const KNOWN_TAGS: ReadonlySet<string> = new Set([
  ...ARTICLE_TAGS,
  ...Object.keys(RENAMED_TAGS),
  ...PARAGRAPH_TAGS,
  ...DROPPED_WITH_CONTENT,
  ...UNWRAPPED_TAGS,
]);
