import type { FastifyInstance } from 'fastify';
import fp from 'fastify-plugin';
import { TaskProgressService } from '../services/task-progress';

declare module 'fastify' {
  interface FastifyInstance {
    /** One task's progress answer, shared by polling and the live stream (and their in-flight queries). */
    taskProgress: TaskProgressService;
  }
}

export const taskProgressPlugin = fp(
  async (app: FastifyInstance) => {
    app.decorate('taskProgress', new TaskProgressService(app.prisma, app.temporal));
  },
  { name: 'task-progress', dependencies: ['dependencies'] },
);
