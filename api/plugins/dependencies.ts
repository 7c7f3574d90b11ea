import type { Client } from '@temporalio/client';
import type { FastifyInstance } from 'fastify';
import fp from 'fastify-plugin';
import type { PrismaClient } from '../../db/client';

declare module 'fastify' {
  interface FastifyInstance {
    prisma: PrismaClient;
    temporal: Client;
    /** The task queue the workers poll. */
    taskQueue: string;
  }
}

export interface AppDependencies {
  prisma: PrismaClient;
  temporal: Client;
  taskQueue: string;
}

/** The database and Temporal clients, handed in by whoever builds the app (server or test). */
export const dependenciesPlugin = fp(
  async (app: FastifyInstance, deps: AppDependencies) => {
    app.decorate('prisma', deps.prisma);
    app.decorate('temporal', deps.temporal);
    app.decorate('taskQueue', deps.taskQueue);
  },
  { name: 'dependencies' },
);
