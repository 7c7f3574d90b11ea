/**
 * Finds the JSON value in a model's answer: the whole text, a fenced ```json block, or the first
 * balanced object/array inside prose. Models wrap JSON in all three ways; one extractor serves
 * every function (the old system had two with different capabilities).
 *
 * Linear in the answer's length: answers run to megabytes and are parsed on the worker's main
 * thread. The prose is scanned once, and a character reaches JSON.parse a few times at most (in the
 * whole text, a fence, a span and the span around it), never once per bracket before it.
 */
export function extractJson(text: string): unknown {
  const trimmed = text.trim();
  for (const candidate of candidates(trimmed)) {
    const parsed = tryParse(candidate);
    if (parsed.ok) return parsed.value;
  }
  return undefined;
}

function* candidates(text: string): Generator<string> {
  yield text;
  yield* fencedBlocks(text);
  const spans = balancedSpans(text);
  for (let k = 0; k < spans.length; k += 2) yield text.slice(spans[k], spans[k + 1]);
}

/**
 * Deeper JSON is no answer, and would not survive the trip: JSON.stringify recurses, and the
 * parsed answer is stringified into the run's history and the database.
 */
export const MAX_JSON_DEPTH = 100;

function tryParse(text: string): { ok: true; value: unknown } | { ok: false } {
  if (!couldBeJson(text)) return { ok: false };
  try {
    return { ok: true, value: JSON.parse(text) };
  } catch {
    return { ok: false };
  }
}

// Outside strings JSON holds only these: whitespace, punctuation, numbers, true, false and null.
const JSON_CHARACTERS = new Set(' \t\n\r{}[],:"-+.0123456789eEtrufalsn'.split('').map((c) => c.charCodeAt(0)));

/**
 * A cheap first look, so prose in brackets (`[see below]`, `[text](url)`) costs no JSON.parse:
 * a failed one costs microseconds, and a megabyte of prose holds a great many brackets.
 */
function couldBeJson(text: string): boolean {
  if (!text) return false;
  let depth = 0;
  let inString = false;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (inString) {
      if (c === BACKSLASH) i++;
      else if (c === QUOTE) inString = false;
    } else if (!JSON_CHARACTERS.has(c)) {
      return false;
    } else if (c === QUOTE) {
      inString = true;
    } else if (c === OPEN_BRACE || c === OPEN_BRACKET) {
      if (++depth > MAX_JSON_DEPTH) return false;
    } else if (c === CLOSE_BRACE || c === CLOSE_BRACKET) {
      depth--;
    }
  }
  return true;
}

const FENCE = '```';

/** The text between each pair of ``` in turn, without the opening fence's language label. */
function fencedBlocks(text: string): string[] {
  const blocks: string[] = [];
  for (let open = text.indexOf(FENCE); open >= 0; ) {
    let start = open + FENCE.length;
    while (start < text.length && /[a-zA-Z]/.test(text[start])) start++;
    const close = text.indexOf(FENCE, start);
    if (close < 0) break;
    blocks.push(text.slice(start, close).trim());
    open = text.indexOf(FENCE, close + FENCE.length);
  }
  return blocks;
}

const QUOTE = 0x22;
const BACKSLASH = 0x5c;
const OPEN_BRACE = 0x7b;
const CLOSE_BRACE = 0x7d;
const OPEN_BRACKET = 0x5b;
const CLOSE_BRACKET = 0x5d;

/**
 * Balanced `{…}` / `[…]` spans of prose, in the order they are worth trying, from one scan.
 * Outside a span quotes are prose; inside one, strings and escapes are followed, so brackets in
 * strings do not count. A span that closes is offered first. One that does not parse, meets the
 * wrong closer, or never closes (an answer cut short) offers instead the spans that closed inside
 * it: the outermost ones, not theirs in turn, so no character is offered more than twice.
 */
function balancedSpans(text: string): number[] {
  const spans: number[] = []; // start, end, start, end, …
  const offer = (pairs: number[] | undefined) => {
    for (let k = 0; pairs && k < pairs.length; k++) spans.push(pairs[k]);
  };
  /** Where each open bracket starts; its closer follows from the bracket itself. */
  const open: number[] = [];
  /** By depth: the spans closed directly inside the bracket open at that depth, start, end, … */
  const closedInside: Array<number[] | undefined> = [];
  let inString = false;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (inString) {
      if (c === BACKSLASH) i++;
      else if (c === QUOTE) inString = false;
    } else if (c === OPEN_BRACE || c === OPEN_BRACKET) {
      open.push(i);
    } else if (open.length === 0) {
      continue; // prose
    } else if (c === QUOTE) {
      inString = true;
    } else if (c === CLOSE_BRACE || c === CLOSE_BRACKET) {
      const start = open.pop()!;
      const inside = closedInside[open.length];
      closedInside[open.length] = undefined;
      if (text.charCodeAt(start) !== (c === CLOSE_BRACE ? OPEN_BRACE : OPEN_BRACKET)) {
        // The wrong closer: nothing around it is JSON; what closed inside it may be.
        for (let depth = 0; depth < open.length; depth++) offer(closedInside[depth]);
        offer(inside);
        open.length = 0;
        closedInside.length = 0;
      } else if (open.length > 0) {
        (closedInside[open.length - 1] ??= []).push(start, i + 1);
      } else {
        spans.push(start, i + 1);
        offer(inside);
      }
    }
  }
  // Never closed (cut short): what closed inside, outermost bracket's first, which is text order.
  for (let depth = 0; depth < open.length; depth++) offer(closedInside[depth]);
  return spans;
}
