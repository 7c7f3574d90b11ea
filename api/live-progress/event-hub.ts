import { Client } from 'pg';
import type { FastifyBaseLogger } from 'fastify';
import type { PrismaClient } from '../../db/client';
import { TASK_EVENTS_CHANNEL } from '../../pipeline/live-progress';
import { ServiceUnavailableError } from '../errors';

const RECONNECT_MIN_MS = 500;
const RECONNECT_MAX_MS = 30_000;
/**
 * How often the LISTEN connection is checked with a query: a connection that died without a word
 * (a network partition) would otherwise look alive while notifications are lost.
 */
const HEALTH_CHECK_MS = 15_000;
const HEALTH_CHECK_TIMEOUT_MS = 5_000;

/** Called when a task may have new rows; it reads them itself ("rows after the last one I sent"). */
export type TaskEventListener = () => void;

/**
 * Hears of every task that changed and every account whose API key changed, and when the LISTEN
 * connection was lost (what it kept may be stale: notifications were missed).
 */
export interface ChangeWatcher {
  taskChanged(taskId: string): void;
  accountKeyChanged(accountId: number): void;
  listeningLost(): void;
}

/** How the LISTEN connection names itself to PostgreSQL (`pg_stat_activity.application_name`). */
export const LISTEN_APPLICATION_NAME = 'ai-tasks live progress';

/** Announced by a trigger on `accounts` (migration account_key_notify) with the account id. */
export const ACCOUNT_KEYS_CHANNEL = 'account_keys';

/**
 * One LISTEN connection per API process, for the live progress stream and the caches of progress
 * answers and API keys: notifications carry a `task_events` row id and its task id, and the hub
 * wakes that task's streams and tells the watchers. Events are
 * written by workers in other processes, so nothing here is in-process publishing. When the
 * connection drops it reconnects, and wakes every stream to read what it missed meanwhile.
 */
export class TaskEventHub {
  private readonly listeners = new Map<string, Set<TaskEventListener>>();
  private readonly watchers = new Set<ChangeWatcher>();
  private client?: Client;
  private connecting?: Promise<void>;
  private reconnectTimer?: NodeJS.Timeout;
  private healthTimer?: NodeJS.Timeout;
  private failures = 0;
  private pendingIds: number[] = [];
  private closed = false;

  constructor(
    private readonly databaseUrl: string,
    private readonly prisma: PrismaClient,
    private readonly log: FastifyBaseLogger,
  ) {}

  /**
   * Registers a listener for a task once notifications are flowing, so rows the caller reads
   * afterwards plus what it is woken for miss nothing. Returns the unsubscribe function.
   */
  async subscribe(taskId: string, listener: TaskEventListener): Promise<() => void> {
    if (this.closed) throw new ServiceUnavailableError('The API is shutting down.');
    try {
      await this.connect();
    } catch (err) {
      this.log.warn({ err }, 'live progress: cannot LISTEN for task events');
      throw new ServiceUnavailableError('Live progress is unavailable: the database cannot be reached; poll the progress endpoint.');
    }
    const set = this.listeners.get(taskId) ?? new Set();
    set.add(listener);
    this.listeners.set(taskId, set);
    return () => {
      set.delete(listener);
      if (set.size === 0 && this.listeners.get(taskId) === set) this.listeners.delete(taskId);
    };
  }

  /**
   * Adds a watcher of every change and starts listening if it is not yet (a cache keeps nothing
   * until `listening`).
   */
  watch(watcher: ChangeWatcher): void {
    this.watchers.add(watcher);
    if (!this.closed) this.connect().catch((err) => this.log.warn({ err }, 'live progress: cannot LISTEN for task events'));
  }

  /** Whether notifications are flowing: what a watcher keeps is invalidated in time. */
  get listening(): boolean {
    return this.client !== undefined;
  }

  async close(): Promise<void> {
    this.closed = true;
    clearTimeout(this.reconnectTimer);
    clearInterval(this.healthTimer);
    this.listeners.clear();
    const client = this.client;
    this.client = undefined;
    await client?.end().catch(() => undefined);
  }

  private connect(): Promise<void> {
    if (this.client) return Promise.resolve();
    this.connecting ??= this.openConnection().finally(() => (this.connecting = undefined));
    return this.connecting;
  }

  private async openConnection(): Promise<void> {
    const client = new Client({ connectionString: this.databaseUrl, keepAlive: true, application_name: LISTEN_APPLICATION_NAME });
    client.on('notification', (message) => {
      if (message.channel === ACCOUNT_KEYS_CHANNEL) {
        const accountId = Number(message.payload);
        for (const watcher of this.watchers) watcher.accountKeyChanged(accountId);
        return;
      }
      // "<row id> <task id>"; rows notified by earlier workers carry the id alone.
      const payload = message.payload ?? '';
      const space = payload.indexOf(' ');
      const id = Number(space < 0 ? payload : payload.slice(0, space));
      if (space > 0) this.taskChanged(payload.slice(space + 1));
      else if (Number.isInteger(id)) this.received(id);
    });
    client.on('error', (err) => this.lost(client, err));
    client.on('end', () => this.lost(client));
    try {
      await client.connect();
      await client.query(`LISTEN ${ACCOUNT_KEYS_CHANNEL}`);
      await client.query(`LISTEN ${TASK_EVENTS_CHANNEL}`);
    } catch (err) {
      client.removeAllListeners('end');
      client.on('error', () => undefined);
      await client.end().catch(() => undefined);
      throw err;
    }
    if (this.closed) {
      await client.end().catch(() => undefined);
      throw new Error('closed');
    }
    this.client = client;
    this.failures = 0;
    this.checkHealth(client);
  }

  private checkHealth(client: Client): void {
    clearInterval(this.healthTimer);
    this.healthTimer = setInterval(() => {
      if (this.client !== client) return;
      let timer: NodeJS.Timeout | undefined;
      const timeout = new Promise<never>((_, reject) => {
        timer = setTimeout(() => reject(new Error(`no answer within ${HEALTH_CHECK_TIMEOUT_MS} ms`)), HEALTH_CHECK_TIMEOUT_MS);
      });
      Promise.race([client.query('SELECT 1'), timeout])
        .catch((err: Error) => this.lost(client, err))
        .finally(() => clearTimeout(timer));
    }, HEALTH_CHECK_MS);
    this.healthTimer.unref();
  }

  private lost(client: Client, err?: Error): void {
    if (this.client !== client) return;
    this.client = undefined;
    clearInterval(this.healthTimer);
    client.on('error', () => undefined);
    void client.end().catch(() => undefined);
    for (const watcher of this.watchers) watcher.listeningLost();
    if (this.closed) return;
    this.log.warn({ err }, 'live progress: the LISTEN connection dropped; reconnecting');
    this.scheduleReconnect();
  }

  private scheduleReconnect(): void {
    const delay = Math.min(RECONNECT_MAX_MS, RECONNECT_MIN_MS * 2 ** this.failures);
    this.reconnectTimer = setTimeout(() => {
      this.connect().then(
        () => this.wakeAll(),
        () => {
          this.failures++;
          if (!this.closed) this.scheduleReconnect();
        },
      );
    }, delay);
  }

  private taskChanged(taskId: string): void {
    for (const watcher of this.watchers) watcher.taskChanged(taskId);
    this.wake(taskId);
  }

  /** Notifications of ids alone come in bursts: ids are collected for a tick and looked up in one read. */
  private received(id: number): void {
    if (this.listeners.size === 0 && this.watchers.size === 0) return;
    this.pendingIds.push(id);
    if (this.pendingIds.length === 1) setImmediate(() => void this.dispatch());
  }

  private async dispatch(): Promise<void> {
    const ids = this.pendingIds;
    this.pendingIds = [];
    try {
      const rows = await this.prisma.taskEvent.findMany({ where: { id: { in: ids } }, select: { taskId: true } });
      for (const taskId of new Set(rows.map((r) => r.taskId))) this.taskChanged(taskId);
    } catch (err) {
      // The streams re-read on their next wake-up or keep-alive check; nothing is lost. What the
      // watchers keep may be stale: which tasks changed is unknown.
      this.log.warn({ err }, 'live progress: could not read notified task events');
      for (const watcher of this.watchers) watcher.listeningLost();
    }
  }

  private wake(taskId: string): void {
    for (const listener of this.listeners.get(taskId) ?? []) listener();
  }

  private wakeAll(): void {
    for (const taskId of this.listeners.keys()) this.wake(taskId);
  }
}
