import type { z } from 'zod';
import type { articleAnswerSchema } from '../../../functions/generate-content/answer';
import { countWords, escapeHtml, pick, seedOf, significantWords, titleCase, unique } from './text';

/** The article answer, typed by the schema generate_content parses it with (and what the demo always writes). */
export type ArticleAnswer = z.input<typeof articleAnswerSchema> & {
  title: string;
  content: string;
  meta_title: string;
  meta_description: string;
  word_count: number;
  primary_keyword: string;
  secondary_keywords: string[];
  tags: string[];
  categories: string[];
};

/** What the content prompt tells the writer: title, target keywords, outline headings, cluster. */
export interface ArticleBrief {
  title: string;
  keywords: string[];
  headings: string[];
  category?: string;
}

export interface ArticleText {
  introduction: string;
  sections: Array<{ heading: string; paragraphs: string[] }>;
}

// Each sentence is written around "{topic}" (a noun phrase) so any keyword reads naturally in it.
const SENTENCES = [
  'Getting {topic} right is easier when you start from a clear goal and a few simple habits.',
  'Most people who search for {topic} want a direct answer first and the details second.',
  'A little preparation goes a long way, and it saves both time and money later on.',
  'Start small, measure what changes, and keep only what clearly works for you.',
  'The points below come from the questions readers ask most often about {topic}.',
  'It helps to compare two or three options side by side before committing to one of them.',
  'Experienced people tend to keep their approach to {topic} simple and consistent.',
  'If something does not work the first time, change one thing at a time and try again.',
  'Good results with {topic} rarely depend on expensive tools; they depend on steady practice.',
  'Keep short notes as you go, because small observations add up to real expertise.',
  'Think about who will use the result and what they need from it day to day.',
  'Quality matters more than speed, especially during the first few weeks.',
  'A short checklist keeps the important steps from slipping through the cracks.',
  'When in doubt, return to the basics of {topic} and build up from there.',
  'Honest reviews and reliable sources help you avoid costly surprises with {topic}.',
  'Each step builds on the previous one, so it pays to take them in order.',
];

const OPENERS = [
  'This part looks at {topic} from a practical angle.',
  'Here the focus is on what actually works with {topic}.',
  'The questions readers ask most about {topic} lead straight to this point.',
  'A practical view of {topic} starts here.',
];

const MIN_SECTIONS = 4;
const MAX_SECTIONS = 6;

/** The article's text before markup: an introduction and 3–6 sections of two paragraphs (about 300–600 words). */
export function writeArticleText(brief: ArticleBrief): ArticleText {
  const primary = brief.keywords[0] ?? brief.title.toLowerCase();
  const seed = seedOf(brief.title + primary);
  const topics = brief.keywords.length > 0 ? brief.keywords : [primary];
  const headings = chooseHeadings(brief);
  const sentence = (topic: string, offset: number) => pick(SENTENCES, seed, offset).replace(/\{topic\}/g, topic);
  return {
    introduction: `This article explains ${primary} in plain terms. ${sentence(primary, 0)} ${sentence(primary, 4)}`,
    sections: headings.map((heading, index) => {
      const topic = topics[index % topics.length];
      const base = index * 5 + 1;
      return {
        heading,
        paragraphs: [
          `${pick(OPENERS, seed, index).replace(/\{topic\}/g, topic)} ${sentence(topic, base)} ${sentence(topic, base + 1)}`,
          `${sentence(topic, base + 2)} ${sentence(topic, base + 3)} ${sentence(topic, base + 4)}`,
        ],
      };
    }),
  };
}

/**
 * The article as the model would return it. `minBytes` pads the HTML with further sections until it
 * is at least that large, so tests can push the service's payload limits with still-valid HTML.
 */
export function writeArticle(brief: ArticleBrief, options: { minBytes?: number } = {}): ArticleAnswer {
  const text = writeArticleText(brief);
  const blocks = [`<p>${escapeHtml(text.introduction)}</p>`];
  for (const section of text.sections) {
    blocks.push(`<h2>${escapeHtml(section.heading)}</h2>`, ...section.paragraphs.map((p) => `<p>${escapeHtml(p)}</p>`));
  }
  if (options.minBytes) padToBytes(blocks, text, options.minBytes);
  // Blocks sit on their own lines, so word counts agree whether tags are dropped or replaced by spaces.
  const content = blocks.join('\n');

  const primary = brief.keywords[0] ?? brief.title.toLowerCase();
  const secondary = unique(brief.keywords.slice(1)).slice(0, 5);
  const tags = unique([...brief.keywords, ...significantWords(brief.title)].map((t) => t.toLowerCase())).slice(0, 5);
  return {
    title: brief.title,
    content,
    meta_title: clip(brief.title, 60),
    meta_description: clip(
      `A practical guide to ${primary}: ${text.sections.length} clear sections with steps to follow and mistakes to avoid.`,
      155,
    ),
    word_count: countWords(content),
    primary_keyword: primary,
    secondary_keywords: secondary,
    tags,
    categories: [brief.category ?? titleCase(significantWords(primary).slice(0, 2).join(' ') || primary)],
  };
}

// The idea's outline when the prompt has one (kept to a readable length), else a generic plan.
function chooseHeadings(brief: ArticleBrief): string[] {
  const topic = titleCase(brief.keywords[0] ?? brief.title);
  const outline = unique(brief.headings).slice(0, MAX_SECTIONS);
  if (outline.length === 0) {
    return [`What Is ${topic}?`, `Why ${topic} Matters`, `How to Get Started with ${topic}`, 'Common Mistakes to Avoid', 'Final Thoughts'];
  }
  const closing = ['Tips That Save Time', 'Common Mistakes to Avoid', 'Final Thoughts'].filter((h) => !outline.includes(h));
  const missing = Math.max(0, MIN_SECTIONS - outline.length);
  return [...outline, ...closing.slice(closing.length - missing)];
}

function padToBytes(blocks: string[], text: ArticleText, minBytes: number): void {
  let bytes = Buffer.byteLength(blocks.join('\n'));
  for (let part = 1; bytes < minBytes; part++) {
    const section = text.sections[(part - 1) % text.sections.length];
    const block = `<h2>Further Reading, Part ${part}</h2>\n${section.paragraphs.map((p) => `<p>${escapeHtml(p)}</p>`).join('\n')}`;
    blocks.push(block);
    bytes += Buffer.byteLength(block) + 1;
  }
}

function clip(text: string, max: number): string {
  if (text.length <= max) return text;
  const cut = text.slice(0, max - 1);
  return `${cut.slice(0, cut.lastIndexOf(' ') > 0 ? cut.lastIndexOf(' ') : cut.length).replace(/[,;:.\s]+$/, '')}…`;
}
