/**
 * The brief of an article as the prompt gives it: the writer task, its idea's outline and its
 * cluster, as `[IGNY8_IDEA]`, `[IGNY8_CLUSTER]`, `[IGNY8_KEYWORDS]` and `{title}`-style values.
 */
export interface ArticleTask {
  title: string;
  description: string;
  keywords: string;
  contentType: string;
  contentStructure: string;
  idea?: { description: string; contentType: string; contentStructure: string; estimatedWordCount: number; targetKeywords: string } | null;
  cluster?: { name: string; description: string; status: string } | null;
}

/** The placeholder values of the content prompt: `[IGNY8_IDEA]`, `[IGNY8_CLUSTER]`, `[IGNY8_KEYWORDS]` and `{title}`-style ones. */
export function articlePromptValues(task: ArticleTask): Record<string, string> {
  const taskOutline = readOutline(task.description);
  const outline = task.idea?.description.trim() ? formatIdeaOutline(task.idea.description) : (taskOutline ?? '');
  const description = taskOutline === undefined ? task.description.trim() : '';
  const type = task.idea?.contentType || task.contentType;
  const structure = task.idea?.contentStructure || task.contentStructure;
  const idea = [
    `Title: ${task.title}`,
    description && `Description: ${description}`,
    `Article Type: ${type}`,
    `Structure: ${structure}`,
    task.idea && `Estimated Word Count: ${task.idea.estimatedWordCount}`,
    outline && `Outline:\n${outline}`,
  ].filter(Boolean);
  const cluster = task.cluster
    ? [`Cluster Name: ${task.cluster.name}`, task.cluster.description && `Description: ${task.cluster.description}`, `Status: ${task.cluster.status}`]
        .filter(Boolean)
        .join('\n')
    : 'None';
  const keywords = task.keywords.trim() || task.idea?.targetKeywords.trim() || '';
  return {
    IDEA: idea.join('\n'),
    CLUSTER: cluster,
    KEYWORDS: keywords,
    title: task.title,
    description,
    outline,
    keywords,
    cluster_name: task.cluster?.name ?? '',
    content_type: type,
    content_structure: structure,
  };
}

/**
 * An idea's outline as prompt lines: the ideas function's JSON (`introduction`, `sections` of
 * `heading` + `subsections` of `subheading`, `content_type`, `details`) becomes "## H2" / "### H3" /
 * "Content Type:" / "Details:" lines; any other text is used as it is.
 */
export function formatIdeaOutline(description: string): string {
  return readOutline(description) ?? description.trim();
}

function readOutline(description: string): string | undefined {
  const text = description.trim();
  if (!/^[[{]/.test(text)) return undefined;
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    return undefined;
  }
  const sections = Array.isArray(value) ? value : isRecord(value) ? firstList(value, ['sections', 'outline', 'headings', 'h2_sections']) : undefined;
  if (!sections) return undefined;
  const lines: string[] = [];
  const intro = isRecord(value) ? firstText(value, ['introduction', 'intro', 'overview']) : undefined;
  if (intro) lines.push(`Introduction: ${intro}`);
  for (const section of sections) {
    const heading = typeof section === 'string' ? section.trim() : isRecord(section) ? firstText(section, ['heading', 'title', 'h2', 'name']) : undefined;
    if (heading) lines.push(`## ${heading}`);
    if (!isRecord(section)) continue;
    lines.push(...detailLines(section));
    for (const sub of firstList(section, ['subsections', 'subheadings', 'sections', 'h3', 'items']) ?? []) {
      const subheading = typeof sub === 'string' ? sub.trim() : isRecord(sub) ? firstText(sub, ['subheading', 'heading', 'title', 'h3', 'name']) : undefined;
      if (subheading) lines.push(`### ${subheading}`);
      if (isRecord(sub)) lines.push(...detailLines(sub));
    }
  }
  const conclusion = isRecord(value) ? firstText(value, ['conclusion']) : undefined;
  if (conclusion) lines.push(`Conclusion: ${conclusion}`);
  return lines.length ? lines.join('\n') : undefined;
}

function detailLines(part: Record<string, unknown>): string[] {
  const type = firstText(part, ['content_type', 'type']);
  const details = firstText(part, ['details', 'description', 'content', 'notes']);
  return [type && `Content Type: ${type}`, details && `Details: ${details}`].filter((l): l is string => Boolean(l));
}

function firstText(record: Record<string, unknown>, keys: string[]): string | undefined {
  for (const key of keys) {
    const value = record[key];
    if (typeof value === 'string' && value.trim()) return value.trim().replace(/\s*\n\s*/g, ' ');
    if (typeof value === 'number') return String(value);
    if (isRecord(value)) {
      const joined = Object.values(value).filter((v) => typeof v === 'string' && v.trim()).join(' ');
      if (joined) return joined;
    }
  }
  return undefined;
}

function firstList(record: Record<string, unknown>, keys: string[]): unknown[] | undefined {
  for (const key of keys) if (Array.isArray(record[key])) return record[key] as unknown[];
  return undefined;
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** A progress label: the title on one line, cut at a word near `max` characters. */
export function shortLabel(text: string, max = 80): string {
  const line = text.replace(/\s+/g, ' ').trim();
  if (line.length <= max) return line;
  const cut = line.slice(0, max - 1);
  const space = cut.lastIndexOf(' ');
  return `${(space > max / 2 ? cut.slice(0, space) : cut).replace(/[,;:.\s]+$/, '')}…`;
}
