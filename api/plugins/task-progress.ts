import type { FastifyInstance } from 'fastify';
import fp from 'fastify-plugin';
import { TaskEventHub } from '../live-progress/event-hub';
import { ApiKeyCache } from '../services/api-key-cache';
import { TaskProgressService } from '../services/task-progress';

declare module 'fastify' {
  interface FastifyInstance {
    /** One task's progress answer, shared by polling and the live stream (and their in-flight queries). */
    taskProgress: TaskProgressService;
    /** The process's LISTEN connection for task events and API key changes; unset without a database URL. */
    taskEvents: TaskEventHub | undefined;
    /** API keys' accounts kept between requests; unset without a database URL to LISTEN on. */
    apiKeys: ApiKeyCache | undefined;
  }
}

export interface TaskProgressPluginOptions {
  /** The database the LISTEN connection opens; without it nothing is cached and the stream answers 503. */
  databaseUrl?: string;
}

export const taskProgressPlugin = fp<TaskProgressPluginOptions>(
  async (app: FastifyInstance, options) => {
    const hub = options.databaseUrl ? new TaskEventHub(options.databaseUrl, app.prisma, app.log) : undefined;
    app.decorate('taskEvents', hub);
    app.decorate('apiKeys', hub ? new ApiKeyCache(hub) : undefined);
    const progress = new TaskProgressService(app.prisma, app.temporal, hub);
    app.decorate('taskProgress', progress);
    // Only a head start: a database not reachable yet is the first real poll's to report.
    app.addHook('onReady', () => progress.warm().catch(() => undefined));
    app.addHook('onClose', async () => {
      await progress.close();
      await hub?.close();
    });
  },
  { name: 'task-progress', dependencies: ['dependencies'] },
);
