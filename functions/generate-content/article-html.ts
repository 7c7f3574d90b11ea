/**
 * Model text → the article HTML we store (a plain-text answer is still an article).
 * Markdown blocks and marks become HTML; HTML the model wrote is kept when it is one of the
 * article's tags, renamed when it is a near miss (h1 → h2, b → strong) and dropped otherwise —
 * scripts and styles with their content, event handlers and unsafe links always; text is escaped.
 * JSON answers' `content` goes through here too, so every saved article is the same safe subset.
 *
 * Pure string code: imported by activities and unit tests, never touches I/O.
 */

const BLOCK_TAGS = new Set(['h2', 'h3', 'h4', 'p', 'ul', 'ol', 'li', 'blockquote', 'pre']);
const CONTAINER_TAGS = new Set(['ul', 'ol', 'blockquote']);
const LEAF_TAGS = new Set(['p', 'h2', 'h3', 'h4', 'pre']);
const INLINE_TAGS = new Set(['strong', 'em', 'a', 'br', 'code']);
const RENAMED: Record<string, string> = { h1: 'h2', h5: 'h4', h6: 'h4', b: 'strong', i: 'em' };
/** Dropped with everything inside them. */
const DROPPED_WITH_CONTENT = ['script', 'style', 'head', 'title', 'iframe', 'object', 'embed', 'noscript', 'template', 'svg', 'math', 'textarea', 'select', 'canvas'];
/** Dropped, but they separate paragraphs the way a blank line does. */
const BOUNDARY_TAGS = new Set(['div', 'section', 'article', 'main', 'header', 'footer', 'nav', 'aside', 'body', 'html', 'table', 'thead', 'tbody', 'tfoot', 'tr', 'td', 'th', 'caption', 'figure', 'figcaption', 'hr', 'dl', 'dt', 'dd', 'form', 'fieldset', 'details', 'summary']);
/** Dropped; their text stays in place. */
const UNWRAPPED_TAGS = new Set(['span', 'u', 's', 'small', 'big', 'sup', 'sub', 'mark', 'font', 'abbr', 'cite', 'q', 'del', 'ins', 'time', 'label', 'button', 'img', 'picture', 'source', 'video', 'audio', 'meta', 'link', 'input', 'center', 'kbd', 'var', 'samp', 'tt', 'wbr', 'nobr']);

const TAG = /<!--[\s\S]*?(?:-->|$)|<![^>]*>|<\?[^>]*>|<(\/?)([a-zA-Z][a-zA-Z0-9]*)((?:\s+[^\s"'<>/=]+(?:\s*=\s*(?:"[^"]*"|'[^']*'|[^\s"'=<>`]+))?)*)\s*\/?>/g;
const ATTRIBUTE = /([^\s"'<>/=]+)(?:\s*=\s*(?:"([^"]*)"|'([^']*)'|([^\s"'=<>`]+)))?/g;
// Markers stand in for tags already made safe while the text around them is escaped and marked up.
const MARK_OPEN = '\uE000';
const MARK_CLOSE = '\uE001';
const MARKER = /\uE000(\d+)\uE001/g;

export function normaliseArticleHtml(input: string): string {
  const text = unwrapWholeFence(input.replace(/^\uFEFF/, '').replace(/\r\n?/g, '\n').replace(/[\uE000\uE001]/g, ''));
  const builder = new ArticleBuilder();
  for (const segment of splitFences(text)) {
    if (segment.code !== undefined) builder.codeBlock(segment.code);
    else walkHtml(dropDangerousElements(segment.text), builder);
  }
  return builder.finish();
}

/** An answer wrapped whole in ``` (or ```html / ```markdown) is the article itself. */
function unwrapWholeFence(text: string): string {
  const match = /^\s*(`{3,}|~{3,})[ \t]*([\w-]*)[ \t]*\n([\s\S]*?)(?:\n[ \t]*\1[ \t]*)?\s*$/.exec(text);
  if (!match || !/^(|html|xhtml|markdown|md|text|plain)$/i.test(match[2])) return text;
  return match[3].includes(match[1]) ? text : match[3];
}

/** Fenced code stays code; fences labelled html/markdown hold article text and are opened up. */
function splitFences(text: string): Array<{ text: string; code?: undefined } | { code: string }> {
  const segments: Array<{ text: string; code?: undefined } | { code: string }> = [];
  const fence = /^[ \t]*(`{3,}|~{3,})[ \t]*([\w-]*)[^\n]*\n([\s\S]*?)(?:^[ \t]*\1[ \t]*$|(?![\s\S]))/gm;
  let last = 0;
  for (let m = fence.exec(text); m; m = fence.exec(text)) {
    segments.push({ text: text.slice(last, m.index) });
    if (/^(html|xhtml|markdown|md)$/i.test(m[2])) segments.push({ text: m[3] });
    else segments.push({ code: m[3].replace(/\n$/, '') });
    last = m.index + m[0].length;
  }
  segments.push({ text: text.slice(last) });
  return segments;
}

function dropDangerousElements(text: string): string {
  let clean = text;
  for (const name of DROPPED_WITH_CONTENT) {
    clean = clean
      .replace(new RegExp(`<${name}\\b[^>]*\\/>`, 'gi'), '')
      .replace(new RegExp(`<${name}\\b[^>]*>[\\s\\S]*?(?:<\\/${name}\\s*>|$)`, 'gi'), '')
      .replace(new RegExp(`<\\/${name}\\s*>`, 'gi'), '');
  }
  return clean;
}

/** Walks tags and text: article blocks are kept; text outside any block is read as markdown. */
function walkHtml(text: string, builder: ArticleBuilder): void {
  const tags = new RegExp(TAG.source, 'g');
  let last = 0;
  const addText = (piece: string) => {
    if (piece) builder.text(piece);
  };
  for (let m = tags.exec(text); m; m = tags.exec(text)) {
    const [whole, closing, rawName, attributes] = m;
    if (!rawName) {
      addText(text.slice(last, m.index));
      last = m.index + whole.length;
      continue;
    }
    const name = RENAMED[rawName.toLowerCase()] ?? rawName.toLowerCase();
    const known = BLOCK_TAGS.has(name) || INLINE_TAGS.has(name) || BOUNDARY_TAGS.has(name) || UNWRAPPED_TAGS.has(name);
    if (!known) continue; // "<keyword>" in prose is text, not a tag
    addText(text.slice(last, m.index));
    last = m.index + whole.length;
    if (BLOCK_TAGS.has(name)) {
      if (closing) builder.close(name);
      else builder.open(name);
    } else if (INLINE_TAGS.has(name)) {
      const safe = safeInlineTag(name, Boolean(closing), attributes ?? '');
      if (safe) builder.inlineTag(safe);
    } else if (BOUNDARY_TAGS.has(name)) {
      builder.boundary();
    }
  }
  addText(text.slice(last));
}

function safeInlineTag(name: string, closing: boolean, attributes: string): string | undefined {
  if (name === 'br') return closing ? undefined : '<br>';
  if (closing) return `</${name}>`;
  if (name !== 'a') return `<${name}>`;
  let href: string | undefined;
  let title: string | undefined;
  for (const [, attr, dq, sq, bare] of attributes.matchAll(ATTRIBUTE)) {
    const value = dq ?? sq ?? bare ?? '';
    if (attr.toLowerCase() === 'href') href = safeUrl(decodeEntities(value));
    if (attr.toLowerCase() === 'title') title = decodeEntities(value);
  }
  // A link without a safe target is no link: its text stays, the balancer drops the lone </a>.
  if (!href) return undefined;
  return `<a href="${escapeAttribute(href)}"${title ? ` title="${escapeAttribute(title)}"` : ''}>`;
}

/** http(s), mailto, tel and relative links; `javascript:` and other schemes are refused. */
export function safeUrl(url: string): string | undefined {
  const compact = url.replace(/[\u0000-\u0020\u007f]/g, '');
  if (!compact) return undefined;
  const scheme = /^([a-z][a-z0-9+.-]*):/i.exec(compact);
  if (scheme && !/^(https?|mailto|tel)$/i.test(scheme[1])) return undefined;
  return url.trim();
}

function decodeEntities(text: string): string {
  return text
    .replace(/&#x([0-9a-f]+);?/gi, (_, hex: string) => String.fromCodePoint(parseInt(hex, 16)))
    .replace(/&#(\d+);?/g, (_, dec: string) => String.fromCodePoint(Number(dec)))
    .replace(/&colon;/gi, ':')
    .replace(/&quot;/gi, '"')
    .replace(/&lt;/gi, '<')
    .replace(/&gt;/gi, '>')
    .replace(/&amp;/gi, '&');
}

function escapeAttribute(value: string): string {
  return escapeText(value).replace(/"/g, '&quot;');
}

/** Escapes `<`, `>` and every `&` that does not already start an entity. */
export function escapeText(text: string): string {
  return text
    .replace(/&(?!(?:[a-zA-Z][a-zA-Z0-9]{1,31}|#\d{1,7}|#[xX][0-9a-fA-F]{1,6});)/g, '&amp;')
    .replace(/</g, '&lt;')
    .replace(/>/g, '&gt;');
}

/**
 * The output under construction: a stack of open blocks, the pending inline run (raw text with
 * markers for safe inline tags) and the markdown text found outside any block.
 */
class ArticleBuilder {
  // Parts, not one growing string: slicing a string built by += copies all of it every time.
  private readonly parts: string[] = [];
  private readonly stack: Array<{ tag: string; start: number; openTag: string }> = [];
  private run = '';
  private loose = '';
  private readonly tags: string[] = [];

  text(raw: string): void {
    if (this.stack.length === 0) this.loose += raw;
    else this.run += raw;
  }

  inlineTag(tag: string): void {
    this.text(this.mark(tag));
  }

  boundary(): void {
    if (this.stack.length === 0) this.loose += '\n\n';
    else this.run += ' ';
  }

  open(tag: string): void {
    this.flushLoose();
    this.flushRun();
    const top = () => this.stack[this.stack.length - 1]?.tag;
    // HTML's own implied ends: a block closes an open paragraph or heading; an item closes the last item.
    while (top() && LEAF_TAGS.has(top()!)) this.close(top()!);
    if (tag === 'li') {
      if (top() === 'li') this.close('li');
      if (top() !== 'ul' && top() !== 'ol') this.open('ul');
    }
    if (this.parts.length && !this.endsWithNewline()) this.parts.push('\n');
    const openTag = `<${tag}>`;
    this.stack.push({ tag, start: this.parts.length, openTag });
    this.parts.push(CONTAINER_TAGS.has(tag) ? `${openTag}\n` : openTag);
  }

  close(tag: string): void {
    if (!this.stack.some((entry) => entry.tag === tag)) return;
    this.flushRun();
    for (;;) {
      const entry = this.stack.pop()!;
      if (this.parts.slice(entry.start).join('').trim() === entry.openTag) {
        this.parts.length = entry.start; // an empty block is left out
      } else {
        if (CONTAINER_TAGS.has(entry.tag) && !this.endsWithNewline()) this.parts.push('\n');
        this.parts.push(`</${entry.tag}>\n`);
      }
      if (entry.tag === tag) return;
    }
  }

  /** One block of inline content (used by the markdown reader). */
  leaf(tag: string, raw: string): void {
    this.open(tag);
    this.run += raw;
    this.close(tag);
  }

  /** Inline content into the block open now (a list item's text). */
  inline(raw: string): void {
    this.run += raw;
    this.flushRun();
  }

  codeBlock(code: string): void {
    this.closeAll();
    this.open('pre');
    this.parts.push(`<code>${escapeText(code)}</code>`);
    this.close('pre');
  }

  finish(): string {
    this.closeAll();
    return this.parts.join('').trim();
  }

  private endsWithNewline(): boolean {
    return this.parts[this.parts.length - 1]?.endsWith('\n') ?? false;
  }

  private closeAll(): void {
    this.flushLoose();
    while (this.stack.length) this.close(this.stack[0].tag);
  }

  private flushLoose(): void {
    if (this.stack.length > 0 || !this.loose) return;
    const loose = this.loose;
    this.loose = '';
    if (loose.trim()) renderMarkdown(loose, this);
  }

  private flushRun(): void {
    const raw = this.run;
    this.run = '';
    const top = this.stack[this.stack.length - 1]?.tag;
    const html = top === 'pre' ? this.restore(escapeText(raw)) : this.renderInline(raw);
    if (!html) return;
    // Text loose in a list (or quote) gets the item (or paragraph) it lacks.
    if (top === 'ul' || top === 'ol') return this.leaf('li', raw);
    if (top === 'blockquote') return this.leaf('p', raw);
    this.parts.push(html);
  }

  private renderInline(raw: string): string {
    const escaped = escapeText(raw.replace(/\s+/g, ' ').trim());
    return balanceInline(this.restore(inlineMarkdown(escaped, (tag) => this.mark(tag)))).trim();
  }

  private mark(tag: string): string {
    this.tags.push(tag);
    return `${MARK_OPEN}${this.tags.length - 1}${MARK_CLOSE}`;
  }

  private restore(text: string): string {
    let restored = text;
    while (restored.includes(MARK_OPEN)) restored = restored.replace(MARKER, (_, index: string) => this.tags[Number(index)] ?? '');
    return restored;
  }
}

/** `**bold**`, `*italic*`, `` `code` `` and `[text](url)` in escaped text. */
function inlineMarkdown(text: string, mark: (tag: string) => string): string {
  return text
    .replace(/`([^`]+)`/g, (_, code: string) => mark(`<code>${code}</code>`))
    .replace(/\[([^\]]+)\]\(\s*([^)\s]+)\s*\)/g, (_, label: string, url: string) => {
      const href = safeUrl(decodeEntities(url));
      return href ? `${mark(`<a href="${escapeAttribute(href)}">`)}${label}${mark('</a>')}` : label;
    })
    .replace(/\*\*\*(?=\S)([^*]+?)(?<=\S)\*\*\*/g, '<strong><em>$1</em></strong>')
    .replace(/\*\*(?=\S)(.+?)(?<=\S)\*\*/g, '<strong>$1</strong>')
    .replace(/(?<![\w_])__(?=\S)(.+?)(?<=\S)__(?![\w_])/g, '<strong>$1</strong>')
    .replace(/(?<![\w*])\*(?=\S)([^*]+?)(?<=\S)\*(?![\w*])/g, '<em>$1</em>')
    .replace(/(?<![\w_])_(?=\S)([^_]+?)(?<=\S)_(?![\w_])/g, '<em>$1</em>');
}

/** Inline tags closed in the order they opened: lone closers dropped, open ones closed at the end. */
function balanceInline(html: string): string {
  const open: string[] = [];
  const balanced = html.replace(/<(\/?)(strong|em|a|code)\b[^>]*>/g, (tag, closing: string, name: string) => {
    if (!closing) {
      open.push(name);
      return tag;
    }
    const at = open.lastIndexOf(name);
    if (at < 0) return '';
    const inner = open.splice(at).reverse();
    return inner.map((n) => `</${n}>`).join('');
  });
  const closed = balanced + open.reverse().map((n) => `</${n}>`).join('');
  return closed.replace(/<(strong|em|code)>\s*<\/\1>/g, ' ').replace(/<a [^>]*>\s*<\/a>/g, ' ');
}

const HEADING = /^(#{1,6})\s+(.*?)(?:\s+#+)?$|^(#{2,6})([^#\s].*)$/;
const RULE = /^([-*_])(?:[ \t]*\1){2,}$/;
const LIST_ITEM = /^([-*+•]|\d{1,3}[.)])\s+(.*)$/;
const QUOTE = /^>\s?(.*)$/;
const SETEXT = /^(=+|-+)$/;

/** Markdown blocks: headings, paragraphs, nested lists and quotes. */
function renderMarkdown(text: string, builder: ArticleBuilder): void {
  let paragraph: string[] = [];
  const lists: Array<{ tag: 'ul' | 'ol'; indent: number }> = [];
  let itemText: string[] = [];
  let inQuote = false;
  let blankBefore = false;

  const flushParagraph = () => {
    if (paragraph.length) builder.leaf('p', paragraph.join(' '));
    paragraph = [];
  };
  const flushItem = () => {
    if (itemText.length) builder.inline(itemText.join(' '));
    itemText = [];
  };
  const closeList = () => {
    flushItem();
    builder.close('li');
    builder.close(lists.pop()!.tag);
  };
  const closeLists = () => {
    while (lists.length) closeList();
  };
  const closeQuote = () => {
    flushParagraph();
    if (inQuote) builder.close('blockquote');
    inQuote = false;
  };
  const listItem = (indent: number, marker: string, content: string) => {
    const tag = /\d/.test(marker) ? 'ol' : 'ul';
    // Indents within a space of each other are one level: models misalign lists by a space.
    while (lists.length && indent < lists[lists.length - 1].indent - 1) closeList();
    const top = lists[lists.length - 1];
    if (top && indent >= top.indent + 2) {
      flushItem();
      builder.open(tag);
      lists.push({ tag, indent });
    } else if (top && top.tag === tag) {
      flushItem();
      builder.close('li');
    } else {
      if (top) closeList();
      builder.open(tag);
      lists.push({ tag, indent });
    }
    builder.open('li');
    itemText = [content];
  };

  for (const rawLine of text.split('\n')) {
    const line = rawLine.replace(/\t/g, '    ').trimEnd();
    const content = line.trim();
    const indent = line.length - line.trimStart().length;
    if (!content) {
      flushParagraph();
      blankBefore = true;
      continue;
    }
    const quote = QUOTE.exec(content);
    if (inQuote && !quote) closeQuote();
    let m: RegExpExecArray | null;
    if ((m = HEADING.exec(content))) {
      flushParagraph();
      closeLists();
      const level = (m[1] ?? m[3]).length;
      builder.leaf(level <= 2 ? 'h2' : level === 3 ? 'h3' : 'h4', m[2] ?? m[4]);
    } else if (SETEXT.test(content) && paragraph.length === 1 && !blankBefore) {
      builder.leaf('h2', paragraph[0]);
      paragraph = [];
    } else if (RULE.test(content)) {
      flushParagraph();
      closeLists();
    } else if ((m = LIST_ITEM.exec(content))) {
      flushParagraph();
      listItem(indent, m[1], m[2]);
    } else if (quote) {
      if (!inQuote) {
        flushParagraph();
        closeLists();
        builder.open('blockquote');
        inQuote = true;
      }
      if (quote[1].trim()) paragraph.push(quote[1].trim());
      else flushParagraph();
    } else if (lists.length && (!blankBefore || indent > lists[lists.length - 1].indent)) {
      itemText.push(content); // the item's text goes on
    } else {
      closeLists();
      paragraph.push(content);
    }
    blankBefore = false;
  }
  closeQuote();
  flushParagraph();
  closeLists();
}
