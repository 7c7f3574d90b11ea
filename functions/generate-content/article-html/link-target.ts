import { LINK_PROTOCOLS } from './allow-list';

/** Resolves relative targets; its own scheme is https, so a relative link counts as https. */
const BASE = 'https://base.invalid/';

/**
 * A link target as the article keeps it, or undefined when it is not allowed. `href` is the
 * attribute value the HTML parser decoded; it is judged the way a browser reads it: the WHATWG URL
 * parser, after the clean-up browsers do first. What is kept is that cleaned value, so the browser
 * reads exactly what was judged.
 */
export function allowedLinkTarget(href: string): string | undefined {
  const target = asBrowserReadsIt(href);
  if (!target) return undefined;
  let url: URL;
  try {
    url = new URL(target, BASE);
  } catch {
    return undefined;
  }
  return LINK_PROTOCOLS.includes(url.protocol) ? target : undefined;
}

/**
 * Browsers read NUL in an attribute as U+FFFD, and their URL parser drops C0 controls and spaces
 * at either end and tab, newline and CR anywhere (`java\tscript:` is `javascript:`).
 */
function asBrowserReadsIt(href: string): string {
  const value = href.replace(/\0/g, '\uFFFD');
  let start = 0;
  let end = value.length;
  // Index loops, not /^[\0- ]+|[\0- ]+$/: that regex retries every run of spaces to the end.
  while (start < end && value.charCodeAt(start) <= 0x20) start++;
  while (end > start && value.charCodeAt(end - 1) <= 0x20) end--;
  return value.slice(start, end).replace(/[\t\n\r]/g, '');
}
