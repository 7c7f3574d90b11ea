import v8 from 'node:v8';
import vm from 'node:vm';
import { extractJson } from '../../activities/answer-parsing/json-extract';
import { ModelOutputError } from '../../activities/answer-parsing/parse-answer';
import { parseClusters } from '../../functions/auto-cluster/answer';
import { parseArticleAnswer } from '../../functions/generate-content/answer';
import { normaliseArticleHtml } from '../../functions/generate-content/article-html';
import { parseIdeas } from '../../functions/generate-ideas/answer';
import { parseImagePrompts } from '../../functions/generate-image-prompts/answer';

/**
 * Answers run to megabytes and are parsed on the worker's main thread: a parser that is quadratic
 * on some input freezes every tenant's runs. Each parser gets hostile inputs of n and 100n
 * characters. Linear work takes at most ~100× as long (less where fixed costs weigh on the small
 * one), quadratic ~10,000×; the bound sits between them with a factor of 10 to spare either way,
 * so a busy machine (other processes, collections during one run) cannot tip it. No absolute
 * limits: machines differ.
 */
const SIZE_RATIO = 100;
const GROWTH_LIMIT = 1_000;

// Each timed run starts from a collected heap and pays for its own garbage: otherwise the small
// runs leave theirs to be collected during the large one, which then looks worse than linear.
v8.setFlagsFromString('--expose-gc');
const collectGarbage = vm.runInNewContext('gc') as () => void;

/** `unit` repeated to `size` characters. */
const fill = (unit: string, size: number) => unit.repeat(Math.ceil(size / unit.length)).slice(0, size);

type Shapes = Record<string, (size: number) => string>;

const JSON_SHAPES: Shapes = {
  'all {': (n) => fill('{', n),
  'all [': (n) => fill('[', n),
  '{"a": repeated': (n) => fill('{"a":', n),
  'an unterminated string': (n) => `{"a": "${fill('x', n)}`,
  'deeply nested lists, broken in the middle': (n) => `${'['.repeat(n / 2)}1 2${']'.repeat(n / 2)}`,
  '[x]( repeated': (n) => fill('[x](', n),
};

const MARKUP_SHAPES: Shapes = {
  '<a repeated': (n) => fill('<a ', n),
  '** runs': (n) => `${fill('**', n)}x`,
  '_ runs': (n) => `${fill('_', n)}x`,
  '[x]( repeated': (n) => fill('[x](', n),
  '[ repeated': (n) => fill('[', n),
  'links whose target is a code span': (n) => fill('[x](`', n),
  '500 nested blockquotes': (n) => fill(`${'>'.repeat(500)} x\n\n`, n),
  'quote lines': (n) => fill('> x\n', n),
  'unclosed tags': (n) => fill('<b>', n),
  'svg closed by </p>': (n) => fill('<p><svg></p>', n),
  'closers without openers': (n) => `${'<b>'.repeat(100)}${fill('</i>', n)}`,
  'comments in a link target': (n) => `<a href="${fill('<!--x-->', n)}">x</a>`,
};

const ARTICLE_SHAPES: Shapes = {
  'article JSON whose content is unclosed tags': (n) => JSON.stringify({ content: fill('<b>', n - 14) }),
  'article JSON whose content is nested blockquotes': (n) => JSON.stringify({ content: fill(`${'>'.repeat(500)} x\n\n`, n - 14) }),
  '** runs': MARKUP_SHAPES['** runs'],
  'unclosed tags': MARKUP_SHAPES['unclosed tags'],
};

/** Returns or refuses the answer (ModelOutputError); anything else, a stack overflow too, fails. */
function settle(parse: (text: string) => unknown, text: string): void {
  try {
    parse(text);
  } catch (error) {
    if (!(error instanceof ModelOutputError)) throw error;
  }
}

function seconds(run: () => void): number {
  collectGarbage();
  const start = performance.now();
  run();
  return (performance.now() - start) / 1000;
}

/** How much longer the 100n input takes than the n input: the best of 5 runs against the best of 2. */
function growth(parse: (text: string) => unknown, shape: (size: number) => string, n: number): number {
  const small = shape(n);
  const large = shape(SIZE_RATIO * n);
  settle(parse, large); // compiles the code on the paths these inputs take
  let smallTime = Infinity;
  let largeTime = Infinity;
  for (let round = 0; round < 5; round++) {
    smallTime = Math.min(smallTime, seconds(() => settle(parse, small)));
    if (round < 2) largeTime = Math.min(largeTime, seconds(() => settle(parse, large)));
  }
  return largeTime / smallTime;
}

/** The small inputs; the large ones are 100× these (100 KB of markup, 500 KB of JSON). */
const ARTICLE_N = 1_000;
const JSON_N = 5_000;

describe('answer parsers take time linear in the answer', () => {
  const cases: Array<[string, (text: string) => unknown, Shapes, number]> = [
    ['extractJson', extractJson, JSON_SHAPES, JSON_N],
    ['parseClusters', parseClusters, JSON_SHAPES, JSON_N],
    ['parseIdeas', parseIdeas, JSON_SHAPES, JSON_N],
    ['parseImagePrompts', (text) => parseImagePrompts(text, 3), JSON_SHAPES, JSON_N],
    ['normaliseArticleHtml', normaliseArticleHtml, MARKUP_SHAPES, ARTICLE_N],
    ['parseArticleAnswer', parseArticleAnswer, JSON_SHAPES, JSON_N],
    ['parseArticleAnswer', parseArticleAnswer, ARTICLE_SHAPES, ARTICLE_N],
  ];
  const table = cases.flatMap(([name, parse, shapes, n]) => Object.entries(shapes).map(([shape, make]) => [name, shape, parse, make, n] as const));

  it.each(table)('%s: %s', (_, __, parse, make, n) => {
    expect(growth(parse, make, n)).toBeLessThan(GROWTH_LIMIT);
  });
});

describe('a 4 MB hostile answer is parsed to the end without running out of stack', () => {
  const SIZE = 4 * 1024 * 1024;
  const deepList = `${'['.repeat(SIZE / 2)}${']'.repeat(SIZE / 2)}`;
  it.each([
    ['extractJson', 'all [', extractJson, fill('[', SIZE)],
    ['extractJson', '{"a": repeated', extractJson, fill('{"a":', SIZE)],
    ['extractJson', 'lists nested 2 million deep', extractJson, deepList],
    ['parseIdeas', 'lists nested 2 million deep', parseIdeas, deepList],
    ['parseClusters', '[x]( repeated', parseClusters, fill('[x](', SIZE)],
    ['parseImagePrompts', 'an unterminated string', (text: string) => parseImagePrompts(text, 3), `{"featured_prompt": "${fill('x', SIZE)}`],
    ['normaliseArticleHtml', 'unclosed tags', normaliseArticleHtml, fill('<b>', SIZE)],
    ['normaliseArticleHtml', 'nested blockquotes', normaliseArticleHtml, fill(`${'>'.repeat(10_000)} x\n\n`, SIZE)],
    ['normaliseArticleHtml', '[x]( repeated', normaliseArticleHtml, fill('[x](', SIZE)],
    ['parseArticleAnswer', 'article JSON holding lists nested 2 million deep', parseArticleAnswer, `{"content": "<p>x</p>", "extra": ${deepList}}`],
  ])('%s: %s', (name, shape, parse, text) => {
    const took = seconds(() => settle(parse, text));
    console.info(`${name}, 4 MB of ${shape}: ${took.toFixed(2)} s`);
  });
});
