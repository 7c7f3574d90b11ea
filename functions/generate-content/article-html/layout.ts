import type { ArticleTag } from './allow-list';

/**
 * The sanitised article laid out in blocks, the shape editors and the publishing sites expect:
 * text loose at the top or in a quote becomes a paragraph, text loose in a list a list item; a block
 * inside a paragraph, heading or inline tag ends it, as in a browser; a block without text is left
 * out; each block starts on its own line; whitespace runs are one space, except in `pre`.
 *
 * It reads the sanitiser's output, where every tag is an article tag and text holds no `<`, so
 * tags and text are copied as they are: tags are only dropped, or added bare; nothing is escaped
 * or unescaped here. One pass; each tag and text is handled once.
 */

type Role = 'quote' | 'list' | 'item' | 'leaf' | 'inline' | 'break';
const ROLE_OF: Record<ArticleTag, Role> = {
  blockquote: 'quote',
  ul: 'list',
  ol: 'list',
  li: 'item',
  p: 'leaf',
  h2: 'leaf',
  h3: 'leaf',
  h4: 'leaf',
  pre: 'leaf',
  strong: 'inline',
  em: 'inline',
  code: 'inline',
  a: 'inline',
  br: 'break',
};
const ROLES = new Map<string, Role>(Object.entries(ROLE_OF));

export function layOutArticle(html: string): string {
  const article = new ArticleLayout();
  let at = 0;
  while (at < html.length) {
    const lt = html.indexOf('<', at);
    if (lt !== at) {
      const end = lt < 0 ? html.length : lt;
      article.text(html.slice(at, end));
      at = end;
      continue;
    }
    const gt = html.indexOf('>', lt);
    if (gt < 0) break; // never: the sanitiser escapes every `<` and `>` of text and attributes
    article.tag(html.slice(lt, gt + 1));
    at = gt + 1;
  }
  return article.finish();
}

interface OpenElement {
  name: string;
  role: Role;
  /** Where it starts in the output: dropping it cuts the output back to here. */
  start: number;
  hasText: boolean;
}

class ArticleLayout {
  private readonly out: string[] = [];
  private readonly open: OpenElement[] = [];
  private readonly openByName = new Map<string, number>();
  private inPre = 0;
  /** Right after a block starts or ends, where whitespace shows nothing. */
  private atBlockEdge = true;

  tag(tag: string): void {
    const name = /^<\/?([a-z0-9]+)/.exec(tag)?.[1] ?? '';
    const role = ROLES.get(name);
    if (!role) return;
    if (tag[1] === '/') this.close(name);
    else if (role === 'break') this.inline(tag);
    else if (role === 'inline') this.openInline(name, tag);
    else this.openBlock(name, role, tag);
  }

  text(raw: string): void {
    if (this.inPre) {
      this.out.push(raw);
      if (/\S/.test(raw)) this.top()!.hasText = true;
      return;
    }
    const collapsed = raw.replace(/[ \t\n\r\f]+/g, ' ');
    // A space already ends the output (`<strong>a </strong> b` moved it past the tag): one is enough.
    const text = collapsed.startsWith(' ') && (this.atBlockEdge || this.out[this.out.length - 1]?.endsWith(' ')) ? collapsed.slice(1) : collapsed;
    if (!text) return;
    if (text === ' ') {
      const role = this.top()?.role;
      if (role === 'item' || role === 'leaf' || role === 'inline') this.out.push(text);
      return;
    }
    this.inlineContext();
    this.out.push(text);
    this.top()!.hasText = true;
    this.atBlockEdge = false;
  }

  finish(): string {
    while (this.open.length) this.closeTop();
    return this.out.join('').trim();
  }

  private inline(tag: string): void {
    this.inlineContext();
    this.out.push(tag);
    this.atBlockEdge = false;
  }

  private openInline(name: string, tag: string): void {
    this.inlineContext();
    if (name === 'a' && this.openByName.get('a')) this.close('a'); // links do not nest
    this.push(name, 'inline');
    this.out.push(tag);
  }

  private openBlock(name: string, role: Role, tag = `<${name}>`): void {
    for (let top = this.top(); top && (top.role === 'leaf' || top.role === 'inline'); top = this.top()) this.closeTop();
    if (role === 'item') {
      if (this.top()?.role === 'item') this.closeTop();
      if (this.top()?.role !== 'list') this.openBlock('ul', 'list');
    } else if (this.top()?.role === 'list') {
      this.openBlock('li', 'item');
    }
    this.dropTrailingSpace();
    this.push(name, role);
    if (this.out.length && !this.out[this.out.length - 1].endsWith('\n')) this.out.push('\n');
    this.out.push(role === 'quote' || role === 'list' ? `${tag}\n` : tag);
    if (name === 'pre') this.inPre++;
    this.atBlockEdge = true;
  }

  /** Text needs a paragraph or list item to stand in. */
  private inlineContext(): void {
    const role = this.top()?.role;
    if (role === undefined || role === 'quote') this.openBlock('p', 'leaf');
    else if (role === 'list') this.openBlock('li', 'item');
  }

  private close(name: string): void {
    if (!this.openByName.get(name)) return; // a closer without an opener
    while (this.closeTop().name !== name);
  }

  private closeTop(): OpenElement {
    const element = this.open.pop()!;
    this.openByName.set(element.name, this.openByName.get(element.name)! - 1);
    if (element.name === 'pre') this.inPre--;
    const parent = this.top();
    if (element.hasText && parent) parent.hasText = true;
    if (element.role === 'inline') {
      // `<strong>bold </strong>`: the space goes after the tag, where a block end can drop it.
      const spaced = !this.inPre && this.dropTrailingSpace();
      this.out.push(`</${element.name}>`);
      if (spaced) this.out.push(' ');
      return element;
    }
    this.atBlockEdge = true;
    if (!element.hasText) {
      this.out.length = element.start; // an empty block is left out
      return element;
    }
    if (element.name !== 'pre') this.dropTrailingSpace();
    if ((element.role === 'quote' || element.role === 'list') && !this.out[this.out.length - 1].endsWith('\n')) this.out.push('\n');
    this.out.push(`</${element.name}>\n`);
    return element;
  }

  private push(name: string, role: Role): void {
    this.open.push({ name, role, start: this.out.length, hasText: false });
    this.openByName.set(name, (this.openByName.get(name) ?? 0) + 1);
  }

  /** Tags never end in a space, so a trailing space is text's (collapsed to one). */
  private dropTrailingSpace(): boolean {
    const last = this.out[this.out.length - 1];
    if (last === undefined || !last.endsWith(' ')) return false;
    if (last.length === 1) this.out.pop();
    else this.out[this.out.length - 1] = last.slice(0, -1);
    return true;
  }

  private top(): OpenElement | undefined {
    return this.open[this.open.length - 1];
  }
}
