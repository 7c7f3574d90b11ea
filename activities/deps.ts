import type { PrismaClient } from '../db/client';

/** What activities are built from; tests hand in real ones pointed at test servers. */
export interface ActivityDeps {
  prisma: PrismaClient;
  /** Milliseconds without a byte from the provider before a call counts as hung. */
  providerIdleTimeoutMs?: number;
  /**
   * Called right after a save commits, before the activity returns: the fault tests make a worker
   * die there (the moment idempotent saves exist for). Unset in production.
   */
  afterSaveCommit?: () => void;
}
