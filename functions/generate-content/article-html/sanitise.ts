import sanitizeHtml from 'sanitize-html';
import { ARTICLE_TAGS, DROPPED_WITH_CONTENT, LINK_ATTRIBUTES, PARAGRAPH_TAGS, RENAMED_TAGS } from './allow-list';
import { allowedLinkTarget } from './link-target';
import { shallowPieces } from './nesting';

/** Not an article tag, so the sanitiser unwraps it: a link without an allowed target keeps its text only. */
const UNLINKED = 'span';

/** Renamed tags lose their attributes on the way, like every tag but a link. */
const RENAMES: Record<string, sanitizeHtml.Transformer> = Object.fromEntries(
  [...Object.entries(RENAMED_TAGS), ...PARAGRAPH_TAGS.map((tag) => [tag, 'p'])].map(([from, to]) => [from, sanitizeHtml.simpleTransform(to, {}, false)]),
);

const ARTICLE_HTML: sanitizeHtml.IOptions = {
  allowedTags: [...ARTICLE_TAGS],
  allowedAttributes: { a: [...LINK_ATTRIBUTES] },
  disallowedTagsMode: 'discard',
  nonTextTags: [...DROPPED_WITH_CONTENT],
  transformTags: { ...RENAMES, a: keepAllowedLink },
  selfClosing: ['br'],
  // Link targets are judged by allowedLinkTarget alone. sanitize-html's own scheme check (launder)
  // strips `<!--…-->` from a target by rebuilding the string once per comment: quadratic.
  allowedSchemesAppliedToAttributes: [],
};

/** Any HTML → the article's HTML: the allow-list applied by sanitize-html, text escaped. */
export function sanitiseArticle(html: string): string {
  return shallowPieces(html)
    .map((piece) => sanitizeHtml(piece, ARTICLE_HTML))
    .join('');
}

/** `attribs` are decoded by the parser, as a browser would decode them. */
function keepAllowedLink(_tagName: string, attribs: sanitizeHtml.Attributes): sanitizeHtml.Tag {
  const href = attribs.href === undefined ? undefined : allowedLinkTarget(attribs.href);
  if (href === undefined) return { tagName: UNLINKED, attribs: {} };
  return { tagName: 'a', attribs: attribs.title ? { href, title: attribs.title } : { href } };
}
