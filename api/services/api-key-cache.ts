import type { TaskEventHub } from '../live-progress/event-hub';

/** How long a key's account is kept without a word about it. */
const KEY_TTL_MS = 60_000;
/** Keys kept at most (the oldest dropped first). */
const MAX_KEYS = 10_000;

/**
 * The accounts of API keys recently seen (by the keys' hashes), so a poll every second costs no
 * lookup. A key changed or removed in the database, however it was done, is announced by a trigger
 * and dropped at once; nothing is kept while announcements cannot be heard (no LISTEN connection).
 */
export class ApiKeyCache {
  private readonly accounts = new Map<string, { accountId: number; until: number }>();
  /** Counts key changes heard and lost connections: a read that saw the count move keeps nothing. */
  private changes = 0;

  constructor(private readonly hub: TaskEventHub) {
    hub.watch({
      taskChanged: () => undefined,
      accountKeyChanged: (accountId) => {
        this.changes++;
        for (const [hash, entry] of this.accounts) if (entry.accountId === accountId) this.accounts.delete(hash);
      },
      listeningLost: () => {
        this.changes++;
        this.accounts.clear();
      },
    });
  }

  get(hash: string): number | undefined {
    const entry = this.accounts.get(hash);
    if (!entry) return undefined;
    if (entry.until <= Date.now() || !this.hub.listening) {
      this.accounts.delete(hash);
      return undefined;
    }
    return entry.accountId;
  }

  /**
   * Where the cache stood before a database read: `keep` stores the read's key only if no key
   * changed and no connection was lost meanwhile (the change may be the very key read).
   */
  mark(): number | undefined {
    return this.hub.listening ? this.changes : undefined;
  }

  /** Keeps a key found in the database by a read that began at `mark`. */
  keep(hash: string, accountId: number, mark: number | undefined): void {
    if (mark === undefined || mark !== this.changes || !this.hub.listening) return;
    this.accounts.set(hash, { accountId, until: Date.now() + KEY_TTL_MS });
    if (this.accounts.size > MAX_KEYS) this.accounts.delete(this.accounts.keys().next().value!);
  }
}
