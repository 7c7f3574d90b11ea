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

  constructor(private readonly hub: TaskEventHub) {
    hub.watch({
      taskChanged: () => undefined,
      accountKeyChanged: (accountId) => {
        for (const [hash, entry] of this.accounts) if (entry.accountId === accountId) this.accounts.delete(hash);
      },
      listeningLost: () => this.accounts.clear(),
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

  /** Keeps a key found in the database; `listeningBefore` is whether announcements were heard from before the read. */
  keep(hash: string, accountId: number, listeningBefore: boolean): void {
    if (!listeningBefore || !this.hub.listening) return;
    this.accounts.set(hash, { accountId, until: Date.now() + KEY_TTL_MS });
    if (this.accounts.size > MAX_KEYS) this.accounts.delete(this.accounts.keys().next().value!);
  }

  get listening(): boolean {
    return this.hub.listening;
  }
}
