import fc from 'fast-check';
import { parseFragment, type DefaultTreeAdapterMap } from 'parse5';
import { normaliseArticleHtml } from '../../functions/generate-content/article-html';

/**
 * What a saved article may hold, checked on the HTML as a browser parses it (parse5). Written out
 * here, not imported from the allow-list, so widening the allow-list has to change this test too.
 */
const ARTICLE_TAGS = new Set(['h2', 'h3', 'h4', 'p', 'ul', 'ol', 'li', 'blockquote', 'pre', 'code', 'strong', 'em', 'a', 'br']);
const ATTRIBUTES_BY_TAG: Record<string, string[]> = { a: ['href', 'title'] };
const LINK_PROTOCOLS = new Set(['http:', 'https:', 'mailto:']);
const HTML_NAMESPACE = 'http://www.w3.org/1999/xhtml';

type ParentNode = DefaultTreeAdapterMap['parentNode'];
type Element = DefaultTreeAdapterMap['element'];

/** Everything in `html` outside the article's allow-list, as a browser would read it. */
function outsideAllowList(html: string): string[] {
  const found: string[] = [];
  const pending: ParentNode[] = [parseFragment(html)];
  while (pending.length) {
    for (const node of pending.pop()!.childNodes) {
      if (node.nodeName === '#text') continue;
      if (!('tagName' in node)) {
        found.push(node.nodeName);
        continue;
      }
      found.push(...elementProblems(node));
      pending.push(node);
      if (node.tagName === 'template') pending.push((node as DefaultTreeAdapterMap['template']).content);
    }
  }
  return found;
}

function elementProblems(element: Element): string[] {
  const problems: string[] = [];
  if (!ARTICLE_TAGS.has(element.tagName) || element.namespaceURI !== HTML_NAMESPACE) problems.push(`<${element.tagName}>`);
  for (const { name, value } of element.attrs) {
    if (!(ATTRIBUTES_BY_TAG[element.tagName] ?? []).includes(name)) problems.push(`<${element.tagName} ${name}>`);
    if (name === 'href' && !linkAllowed(value)) problems.push(`href ${JSON.stringify(value)}`);
  }
  return problems;
}

/** As a browser follows the link: the WHATWG URL parser, relative links resolved against a page. */
function linkAllowed(href: string): boolean {
  try {
    return LINK_PROTOCOLS.has(new URL(href, 'https://article.example/blog/post').protocol);
  } catch {
    return false;
  }
}

/** The article HTML of `answer`, with anything outside the allow-list. */
function check(answer: string): { html: string; outside: string[] } {
  const html = normaliseArticleHtml(answer);
  return { html, outside: outsideAllowList(html) };
}

describe('article HTML holds nothing outside the allow-list', () => {
  it.each([
    ['a tab named reference before the scheme', '<a href="&Tab;javascript:alert(1)">x</a>'],
    ['a tab named reference inside the scheme', '<a href="jav&Tab;ascript:alert(1)">x</a>'],
    ['a newline named reference inside the scheme', '<a href="java&NewLine;script:alert(1)">x</a>'],
    ['the colon as &colon;', '<a href="javascript&colon;alert(1)">x</a>'],
    ['a hex reference for a letter', '<a href="&#x6A;avascript:alert(1)">x</a>'],
    ['a decimal newline reference', '<a href="java&#10;script:alert(1)">x</a>'],
    ['decimal references without semicolons', '<a href="&#106&#97&#118&#97&#115&#99&#114&#105&#112&#116&#58alert(1)">x</a>'],
    ['a double-encoded reference', '<a href="&amp;#x6A;avascript:alert(1)">x</a>'],
    ['raw tab, newline and NUL', '<a href=" \tjava\nscr\0ipt:alert(1)">x</a>'],
    ['an unquoted vbscript target', '<a href=VBScript&colon;msgbox(1)>x</a>'],
    ['a data target', '<a href="data:text/html;base64,PHNjcmlwdD5hbGVydCgxKTwvc2NyaXB0Pg==">x</a>'],
    ['a markdown link with &colon;', '[x](javascript&colon;alert(1))'],
    ['a markdown link with a tab reference', '[x](java&Tab;script:alert(1))'],
    ['a markdown link whose target is a code span', '[x](`" onmouseover="alert(1)`)'],
    ['a markdown link whose target is a code span without spaces', '[x](`x"onmouseover="alert(1)"`)'],
    ['a markdown link whose target ends in a code span', '[x](https://a.b/`" onmouseover=alert(1) x="`)'],
    ['a markdown link whose label is a code span', '[`" onmouseover="alert(1)`](https://a.b)'],
    ['a markdown image with a javascript target', '![x](javascript:alert(1))'],
    ['a markdown reference link', '[x][r]\n\n[r]: javascript:alert(1)'],
    ['an autolink', '<javascript:alert(1)>'],
    ['an event handler', '<p onclick="steal()" style="x:expression(alert(1))">x</p><img src=x onerror=alert(1)>'],
    ['a link inside svg', '<svg><a href="javascript:alert(1)"><text>x</text></a></svg>'],
    ['noscript hiding a tag in an attribute', '<noscript><p title="</noscript><img src=x onerror=alert(1)>"></noscript>'],
    ['a tag in an html fence', '```html\n<a href="javascript:alert(1)" onclick="x()">x</a>\n```'],
  ])('keeps nothing outside the allow-list from %s', (_, answer) => {
    expect(check(answer).outside).toEqual([]);
  });

  it('keeps the text of a link whose target is refused', () => {
    expect(check('<a href="&Tab;javascript:alert(1)">kept text</a>').html).toBe('<p>kept text</p>');
  });

  it('generated: any mix of tags, attributes, encoded links, markdown and broken markup', () => {
    fc.assert(
      fc.property(answer, (text) => {
        const { html, outside } = check(text);
        if (outside.length) throw new Error(`${JSON.stringify(text)} gave ${JSON.stringify(html)}: ${outside.join(', ')}`);
      }),
      { numRuns: 2000 },
    );
  });

  it('generated: a link written with any encoding of a refused scheme is never kept as a link to it', () => {
    fc.assert(
      fc.property(encodedHref, fc.constantFrom('html', 'markdown'), (href, form) => {
        const text = form === 'html' ? `<a href="${href}">x</a>` : `[x](${href})`;
        const { html, outside } = check(text);
        if (outside.length) throw new Error(`${JSON.stringify(text)} gave ${JSON.stringify(html)}: ${outside.join(', ')}`);
      }),
      { numRuns: 2000 },
    );
  });
});

// ---- Generated answers ------------------------------------------------------------------------

const SCHEMES = ['javascript', 'vbscript', 'data', 'file', 'livescript', 'jar', 'https', 'mailto', 'tel'];
const PAYLOADS = ['alert(1)', '//evil.example/x', 'text/html,<script>alert(1)</script>', 'msgbox(1)', 'a@b.example'];

/** One character as HTML may write it: mostly itself, else upper case or a character reference of any form. */
function anyEncoding(char: string): fc.Arbitrary<string> {
  const code = char.codePointAt(0)!;
  const hex = code.toString(16);
  const references = [`&#${code};`, `&#${code}`, `&#0${code};`, `&#x${hex};`, `&#X${hex.toUpperCase()}`, `&#x000${hex};`];
  const doubleEncoded = [`&amp;#x${hex};`, `&amp;#${code};`];
  if (char === ':') references.push('&colon;', '%3A');
  if (char === ':') doubleEncoded.push('&amp;colon;');
  return fc.oneof(
    { weight: 8, arbitrary: fc.constantFrom(char, char.toUpperCase()) },
    { weight: 4, arbitrary: fc.constantFrom(...references) },
    { weight: 1, arbitrary: fc.constantFrom(...doubleEncoded) },
  );
}

/** What browsers skip inside a URL, written raw or as a reference; mostly nothing. */
const skipped = fc.oneof(
  { weight: 12, arbitrary: fc.constant('') },
  { weight: 1, arbitrary: fc.constantFrom('\t', '\n', '\r', '\0', '&Tab;', '&NewLine;', '&#9;', '&#10;', '&#13;', '&#x09', '&#0;', ' ', '\u0001') },
);
const leading = fc.constantFrom('', '', '', ' ', '  ', '\t', '&#32;', '&#x20;', '\u0001', '&#1;', '\0', '\n', '&Tab;');

const encodedHref: fc.Arbitrary<string> = fc
  .tuple(leading, fc.constantFrom(...SCHEMES), fc.constantFrom(...PAYLOADS))
  .chain(([lead, scheme, payload]) =>
    fc
      .tuple(...[...`${scheme}:`].map((char) => fc.tuple(anyEncoding(char), skipped).map(([a, b]) => a + b)))
      .map((chars) => lead + chars.join('') + payload),
  );

const TAG_NAMES = [
  ...ARTICLE_TAGS, 'h1', 'h5', 'h6', 'b', 'i', 'div', 'span', 'table', 'tr', 'td', 'hr', 'section', 'u', 'font',
  'script', 'style', 'iframe', 'object', 'embed', 'svg', 'math', 'mi', 'foreignObject', 'desc', 'title', 'noscript', 'noembed', 'noframes',
  'template', 'textarea', 'xmp', 'plaintext', 'select', 'option', 'img', 'video', 'audio', 'source', 'form', 'input', 'button',
  'meta', 'link', 'base', 'body', 'html', 'head', 'frameset', 'details', 'dialog', 'marquee', 'keyword', 'x-widget', 'a:b',
];
const tagName = fc.tuple(fc.constantFrom(...TAG_NAMES), fc.boolean()).map(([name, upper]) => (upper ? name.toUpperCase() : name));

const ATTRIBUTE_NAMES = ['href', 'HREF', 'title', 'src', 'style', 'class', 'id', 'onclick', 'onerror', 'onmouseover', 'OnLoad', 'onfocus', 'autofocus', 'formaction', 'action', 'xlink:href', 'srcdoc', 'data', 'target', 'background', 'poster', 'data-x'];
const attributeValue = fc.oneof(encodedHref, fc.constantFrom('alert(1)', 'x:expression(alert(1))', '"><script>alert(1)</script>', "'", '`'), fc.string({ maxLength: 12 }));
const attribute = fc
  .tuple(fc.constantFrom(...ATTRIBUTE_NAMES), attributeValue, fc.constantFrom('"', "'", '', 'bare'))
  .map(([name, value, quote]) => (quote === 'bare' ? ` ${name}` : ` ${name}=${quote}${value}${quote}`));

const TEXT_BITS = [
  'text', ' ', '\n', '\n\n', '<', '>', '&', '"', "'", '`', '*', '**', '_', '__', '~~', '# ', '> ', '- ', '1. ', '```', '~~~',
  '[', ']', '(', ')', '!', '\\', '<!--', '-->', '<![CDATA[', ']]>', '<?', '</', '<a ', '&amp;', '&lt;script&gt;', '\0', '    ',
];
const text = fc.oneof(fc.constantFrom(...TEXT_BITS), fc.string({ maxLength: 8 }));

const codeSpan = fc.constantFrom('`" onmouseover="alert(1)`', '`x"onmouseover="alert(1)"`', '`<a href=javascript:alert(1)>`', '`javascript:alert(1)`', '``a`b``');
const linkTarget = fc.oneof(encodedHref, codeSpan, fc.constantFrom('https://a.example/x', '/relative', '#top'), encodedHref.map((h) => `<${h}>`));
const markdown = fc.oneof(
  fc.tuple(fc.oneof(text, codeSpan), linkTarget).map(([label, target]) => `[${label}](${target})`),
  fc.tuple(fc.oneof(text, codeSpan), linkTarget).map(([label, target]) => `![${label}](${target})`),
  fc.tuple(text, linkTarget).map(([label, target]) => `[${label}](${target} "t")`),
  fc.tuple(text, encodedHref).map(([label, target]) => `[${label}][r]\n\n[r]: ${target}\n`),
  encodedHref.map((target) => `<${target}>`),
);
const brokenTag = fc.tuple(tagName, attribute).map(([name, attr]) => `<${name}${attr}`);

const { node } = fc.letrec<{ node: string; element: string }>((tie) => ({
  node: fc.oneof({ depthSize: 'small', withCrossShrink: true }, text, markdown, brokenTag, tie('element')),
  element: fc
    .tuple(tagName, fc.array(attribute, { maxLength: 3 }), fc.array(tie('node'), { maxLength: 4 }), fc.constantFrom('close', 'open', 'self', 'fence'))
    .map(([name, attributes, children, end]) => {
      const open = `<${name}${attributes.join('')}${end === 'self' ? ' /' : ''}>`;
      const body = children.join('');
      if (end === 'fence') return `\n\`\`\`html\n${open}${body}</${name}>\n\`\`\`\n`;
      return end === 'close' ? `${open}${body}</${name}>` : open + body;
    }),
}));

// Markdown, raw HTML (a line opening with a block tag is HTML up to a blank line), or an html fence.
const answer = fc
  .tuple(fc.array(node, { maxLength: 8 }), fc.constantFrom('', '<div>', '```html\n'))
  .map(([parts, wrapper]) => wrapper + parts.join(''));
