import type { PrismaClient } from '../db/client';
import type { ProviderHostPolicy } from './provider-hosts';
import type { SlotPolicy } from './ai-call-slots';

/** What activities are built from; tests hand in real ones pointed at test servers. */
export interface ActivityDeps {
  prisma: PrismaClient;
  /** Milliseconds without a byte from the provider before a call counts as hung. */
  providerIdleTimeoutMs?: number;
  /** Corrective re-asks of a text answer that is not what was asked for (AI_PARSE_REASKS; 1). */
  parseReasks?: number;
  /**
   * Where AI calls may go beyond the providers' public APIs (AI_PROVIDER_ALLOWED_HOSTS); the worker
   * binds it around every activity. Unset: this process's AI_PROVIDER_ALLOWED_HOSTS.
   */
  providerHosts?: ProviderHostPolicy;
  /**
   * Called right after a save commits, before the activity returns: the fault tests make a worker
   * die there (the moment idempotent saves exist for). Unset in production.
   */
  afterSaveCommit?: () => void;
  /** The limits on AI calls in flight (per account, overall) and the slots' leases. */
  slots?: SlotPolicy;
}
