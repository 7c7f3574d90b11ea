import { normaliseArticleHtml as normalise } from '../../functions/generate-content/article-html';
import { allowedLinkTarget } from '../../functions/generate-content/article-html/link-target';

describe('plain text and markdown become article HTML', () => {
  it('turns blank-line-separated blocks into paragraphs and joins wrapped lines', () => {
    expect(normalise('First paragraph\nwraps here.\n\nSecond one.')).toBe('<p>First paragraph wraps here.</p>\n<p>Second one.</p>');
  });

  it('reads mixed CRLF, lone CR and stray spaces and tabs as plain line breaks and single spaces', () => {
    expect(normalise('  One \t  line\r\n\r\n\r\nTwo\rlines   \r\n')).toBe('<p>One line</p>\n<p>Two lines</p>');
  });

  it('maps markdown headings into the article: # and ## to h2, ### to h3, deeper to h4', () => {
    expect(normalise('# Title\n## Section\n### Part\n#### Detail\n##### Small')).toBe(
      '<h2>Title</h2>\n<h2>Section</h2>\n<h3>Part</h3>\n<h4>Detail</h4>\n<h4>Small</h4>',
    );
  });

  it('reads a # without a space after it as text, as CommonMark does', () => {
    expect(normalise('##NoSpace')).toBe('<p>##NoSpace</p>');
  });

  it('reads an underlined title as a heading', () => {
    expect(normalise('Title\n=====\n\nBody')).toBe('<h2>Title</h2>\n<p>Body</p>');
  });

  it('makes bullet and numbered lists, nested by indentation even when misaligned by a space', () => {
    const text = ['Intro:', '1. first', '2. second', '   - nested a', '    - nested b', '3. third', '', 'After.'].join('\n');
    expect(normalise(text)).toBe(
      [
        '<p>Intro:</p>',
        '<ol>',
        '<li>first</li>',
        '<li>second',
        '<ul>',
        '<li>nested a</li>',
        '<li>nested b</li>',
        '</ul>',
        '</li>',
        '<li>third</li>',
        '</ol>',
        '<p>After.</p>',
      ].join('\n'),
    );
  });

  it('starts a new list when the bullet character changes, as CommonMark does', () => {
    expect(normalise('- a\n* b')).toBe('<ul>\n<li>a</li>\n</ul>\n<ul>\n<li>b</li>\n</ul>');
  });

  it('continues a list item on its following lines and starts a new list when the marker kind changes', () => {
    expect(normalise('- one\n  goes on\n1. numbered')).toBe('<ul>\n<li>one goes on</li>\n</ul>\n<ol>\n<li>numbered</li>\n</ol>');
  });

  it('renders bold, italic, code and links inside text', () => {
    expect(normalise('A **bold** and *italic* and __strong__ _em_ ***both*** `x<y` [site](https://example.com/a?b=1&c=2).')).toBe(
      '<p>A <strong>bold</strong> and <em>italic</em> and <strong>strong</strong> <em>em</em> <em><strong>both</strong></em> <code>x&lt;y</code> <a href="https://example.com/a?b=1&amp;c=2">site</a>.</p>',
    );
  });

  it('leaves snake_case words, lone asterisks and arithmetic alone', () => {
    expect(normalise('use snake_case_name and 2 * 3 * 4')).toBe('<p>use snake_case_name and 2 * 3 * 4</p>');
  });

  it('escapes < and & in text and reads entities as the characters they stand for', () => {
    expect(normalise('Use <keyword> when x < y & keep &amp; &copy; &#169; as they are')).toBe(
      '<p>Use &lt;keyword&gt; when x &lt; y &amp; keep &amp; © © as they are</p>',
    );
  });

  it('makes quotes blockquotes and drops horizontal rules', () => {
    expect(normalise('> quoted\n> on two lines\n\n---\n\nafter')).toBe('<blockquote>\n<p>quoted on two lines</p>\n</blockquote>\n<p>after</p>');
  });
});

describe('markdown fences', () => {
  it('unwraps an answer fenced whole, as ```html, ```markdown or bare ```', () => {
    expect(normalise('```html\n<h1>Big</h1><p>Para</p>\n```')).toBe('<h2>Big</h2>\n<p>Para</p>');
    expect(normalise('```markdown\n# T\n\ntext\n```\n')).toBe('<h2>T</h2>\n<p>text</p>');
    expect(normalise('```\nJust text\n```')).toBe('<p>Just text</p>');
  });

  it('keeps a code fence inside an article as an escaped code block with its blank lines', () => {
    expect(normalise('Before:\n\n```js\nif (a < b) {\n\n  go();\n}\n```\nAfter.')).toBe(
      '<p>Before:</p>\n<pre><code>if (a &lt; b) {\n\n  go();\n}</code></pre>\n<p>After.</p>',
    );
  });

  it('reads an html fence after a preamble as article text', () => {
    expect(normalise('Here is the article:\n```html\n<h2>A</h2>\n<p>B</p>\n```')).toBe('<p>Here is the article:</p>\n<h2>A</h2>\n<p>B</p>');
  });
});

describe('HTML the model wrote', () => {
  it('keeps clean article HTML as it is, with quotes and apostrophes written as characters', () => {
    const clean =
      '<p>Intro &amp; more, it\'s "fine".</p>\n<h2>What</h2>\n<h3>Sub</h3>\n<p>Text with <strong>bold</strong>, <em>em</em>, <a href="/x">link</a><br />next line.</p>\n<ul>\n<li>a</li>\n<li>b</li>\n</ul>\n<blockquote>\n<p>quote</p>\n</blockquote>';
    expect(normalise(clean)).toBe(clean);
    expect(normalise(clean.replace("it's \"fine\"", 'it&#39;s &quot;fine&quot;').replace('<br />', '<br>'))).toBe(clean);
  });

  it('is idempotent: its own output comes back unchanged', () => {
    const messy = '# T\r\n\r\nSome *text*\n\n- a\n  - b\n\n<div>loose <b>x</b></div><script>bad()</script>';
    const once = normalise(messy);
    expect(normalise(once)).toBe(once);
  });

  it('drops script, style and other dangerous elements with their content', () => {
    expect(
      normalise('<p>Safe</p><script type="text/javascript">alert("x")</script><style>p{color:red}</style><iframe src="//evil"></iframe><p>Also safe</p><script>never closed'),
    ).toBe('<p>Safe</p>\n<p>Also safe</p>');
  });

  it('drops event handlers and every other attribute, and links with unsafe targets', () => {
    expect(
      normalise(
        '<p onclick="steal()" class="x" style="color:red">Click <a href="javascript:alert(1)">me</a>, <a href="java&#115;cript:alert(1)">me too</a> or <a href="https://e.com" onmouseover="x()" target="_blank" title="E">this</a></p>',
      ),
    ).toBe('<p>Click me, me too or <a href="https://e.com" title="E">this</a></p>');
  });

  it('renames near misses (h1, h5, b, i) and unwraps tags outside the article subset', () => {
    expect(normalise('<h1>Top</h1><h5>Small</h5><p><b>B</b> <i>I</i> <span class="x">span</span> <u>u</u></p>')).toBe(
      '<h2>Top</h2>\n<h4>Small</h4>\n<p><strong>B</strong> <em>I</em> span u</p>',
    );
  });

  it('makes paragraphs of text loose between blocks or inside layout tags', () => {
    expect(normalise('<div><p>One</p>Loose in a div</div>\nMore loose\n<h2>Next</h2>\ntail')).toBe(
      '<p>One</p>\n<p>Loose in a div</p>\n<p>More loose</p>\n<h2>Next</h2>\n<p>tail</p>',
    );
  });

  it('closes what the model left open and drops closers without an opener', () => {
    expect(normalise('<p>unclosed <strong>bold\n\n<p>next</em></p></div><ul><li>one<li>two</ul>')).toBe(
      '<p>unclosed <strong>bold</strong></p>\n<p>next</p>\n<ul>\n<li>one</li>\n<li>two</li>\n</ul>',
    );
  });

  it('gives list items to text loose in a list and leaves empty blocks out', () => {
    expect(normalise('<ul>\n  <li>x</li>\n  stray\n</ul><p> </p><h2></h2>')).toBe('<ul>\n<li>x</li>\n<li>stray</li>\n</ul>');
  });

  it('applies markdown marks around inline HTML in a markdown line', () => {
    expect(normalise('Some <em>html</em> and **bold** with <span class="x">a span</span>')).toBe(
      '<p>Some <em>html</em> and <strong>bold</strong> with a span</p>',
    );
  });

  it('reads a line that starts with a block tag as HTML up to the next blank line, as CommonMark does', () => {
    expect(normalise('<p>Some **bold** text</p>\n\nAnd **bold** here')).toBe('<p>Some **bold** text</p>\n<p>And <strong>bold</strong> here</p>');
  });

  it('reads indented HTML as HTML, not as an indented code block', () => {
    expect(normalise('<h2>A</h2>\n\n    <p>indented after a blank line</p>')).toBe('<h2>A</h2>\n<p>indented after a blank line</p>');
  });

  it('keeps a pre block with its spaces and blank lines', () => {
    expect(normalise('<pre>  a\n\n  b  </pre>')).toBe('<pre>  a\n\n  b  </pre>');
  });

  it('answers empty for an answer with nothing but markup that is dropped', () => {
    expect(normalise('<script>x()</script>\n<!-- note -->\n   ')).toBe('');
  });
});

describe('allowedLinkTarget', () => {
  it('allows web, mail and relative links and refuses other schemes, tel included', () => {
    expect(allowedLinkTarget('https://a.b/c')).toBe('https://a.b/c');
    expect(allowedLinkTarget('mailto:a@b.c')).toBe('mailto:a@b.c');
    expect(allowedLinkTarget('/relative#x')).toBe('/relative#x');
    expect(allowedLinkTarget('//cdn.example/x')).toBe('//cdn.example/x');
    expect(allowedLinkTarget('javascript:alert(1)')).toBeUndefined();
    expect(allowedLinkTarget('data:text/html,<b>')).toBeUndefined();
    expect(allowedLinkTarget('tel:+123')).toBeUndefined();
  });

  it('judges the target as a browser reads it: controls and spaces at the ends, tab and newline anywhere, are ignored', () => {
    expect(allowedLinkTarget(' JaVa\tScript:alert(1)')).toBeUndefined();
    expect(allowedLinkTarget('\u0001\u001f java\nscr\ript:alert(1) \u001f')).toBeUndefined();
    expect(allowedLinkTarget('  https://a.b/\tc\n ')).toBe('https://a.b/c');
    expect(allowedLinkTarget(' \t ')).toBeUndefined();
  });

  it('reads NUL as U+FFFD, as the HTML parser does, so it cannot hide a scheme', () => {
    expect(allowedLinkTarget('\u0000javascript:alert(1)')).toBe('\uFFFDjavascript:alert(1)');
    expect(allowedLinkTarget('java\u0000script:alert(1)')).toBe('java\uFFFDscript:alert(1)');
  });

  it('refuses what the URL parser cannot read', () => {
    expect(allowedLinkTarget('http://')).toBeUndefined();
    expect(allowedLinkTarget('https://[::1')).toBeUndefined();
  });
});
