import { ConflictError } from '../errors';

/**
 * The statuses a user may move each kind of row to, from each status (the seeds' statuses). What the
 * AI functions set themselves (a keyword's `mapped`, a writer task's `in_progress`, an image's
 * `generated`) is theirs: a user reaches it only through the function, or, for `mapped`, by
 * setting the keyword's `cluster_id`.
 */
export const STATUS_TRANSITIONS = {
  keyword: {
    pending: ['active', 'archived'],
    active: ['pending', 'archived'],
    mapped: ['archived'],
    archived: ['pending', 'active'],
  },
  cluster: {
    active: ['archived'],
    archived: ['active'],
  },
  idea: {
    new: ['scheduled', 'published'],
    scheduled: ['new', 'published'],
    published: ['scheduled'],
  },
  writerTask: {
    queued: ['completed'],
    in_progress: [],
    completed: ['queued'],
  },
  content: {
    draft: ['review', 'published'],
    review: ['draft', 'published'],
    published: ['review', 'draft'],
  },
  image: {
    pending: [],
    generated: ['pending'],
    failed: ['pending'],
  },
} as const satisfies Record<string, Record<string, readonly string[]>>;

export type StatusKind = keyof typeof STATUS_TRANSITIONS;
export type StatusOf<Kind extends StatusKind> = keyof (typeof STATUS_TRANSITIONS)[Kind] & string;

/** Every status of a kind, for its PATCH body's enum. */
export function statusesOf<Kind extends StatusKind>(kind: Kind): [StatusOf<Kind>, ...StatusOf<Kind>[]] {
  return Object.keys(STATUS_TRANSITIONS[kind]) as [StatusOf<Kind>, ...StatusOf<Kind>[]];
}

/**
 * Refuses (409) a status change the allow-list does not hold, saying where the row may go instead.
 * Setting the status a row already has changes nothing and is allowed.
 */
export function checkStatusChange(kind: StatusKind, label: string, from: string, to: string | undefined): void {
  if (to === undefined || to === from) return;
  const allowed: readonly string[] = (STATUS_TRANSITIONS[kind] as Record<string, readonly string[]>)[from] ?? [];
  if (allowed.includes(to)) return;
  if (allowed.length === 0) throw new ConflictError(`${label} is ${from}; only its AI function changes that status, so it cannot be set to ${to}.`);
  throw new ConflictError(`${label} is ${from}; it can change to ${allowed.join(' or ')}, not ${to}.`);
}
