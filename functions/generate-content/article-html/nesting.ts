import { Parser } from 'htmlparser2';

/**
 * Keeps the sanitiser's parser (htmlparser2) linear. Its open-element stack is an array it
 * `unshift`s and searches, so every tag costs the current depth: 200,000 unclosed `<b>` take
 * seconds, a few megabytes minutes. Articles nest a dozen deep; past MAX_DEPTH the HTML is cut, at
 * the tag that would go deeper, into pieces each parsed from a fresh stack. Each piece is
 * sanitised on its own and comes out balanced, so the pieces join into safe HTML.
 */
export const MAX_DEPTH = 100;

// htmlparser2 keeps a second stack for svg/math and their HTML islands, popped only by an end tag
// naming one of them: `<p><svg></p>` repeated grows it while the main stack stays flat.
const FOREIGN_CONTEXT_TAGS = new Set(['svg', 'math', 'mi', 'mo', 'mn', 'ms', 'mtext', 'annotation-xml', 'foreignobject', 'desc', 'title']);

/** The HTML in pieces none of which nests deeper than MAX_DEPTH in htmlparser2. */
export function shallowPieces(html: string): string[] {
  const pieces: string[] = [];
  let rest = html;
  for (let cut = tooDeepAt(rest); cut > 0; cut = tooDeepAt(rest)) {
    pieces.push(rest.slice(0, cut));
    rest = rest.slice(cut);
  }
  pieces.push(rest);
  return pieces;
}

/** Where the first tag starts that would take htmlparser2 past MAX_DEPTH, or -1. */
function tooDeepAt(html: string): number {
  // Counted from the parser's own events, so the count is its stack (implied opens and closes
  // included); the foreign count may run high, never low.
  let depth = 0;
  let foreign = 0;
  let cut = -1;
  const parser: Parser = new Parser({
    onopentag(name) {
      depth++;
      if (FOREIGN_CONTEXT_TAGS.has(name)) foreign++;
      if (depth > MAX_DEPTH || foreign > MAX_DEPTH) {
        cut = parser.startIndex;
        parser.pause(); // the rest is read again, from a fresh stack, as the next piece
      }
    },
    onclosetag(name, isImplied) {
      depth--;
      if (!isImplied && FOREIGN_CONTEXT_TAGS.has(name)) foreign--;
    },
  });
  parser.write(html);
  return cut;
}
