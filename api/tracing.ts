/**
 * The API's tracing (tracing/): imported first by server.ts, because the HTTP and PostgreSQL
 * instrumentations patch those modules as they load.
 */
import { startProcessTracing } from '../tracing';

export const tracing = startProcessTracing('ai-task-api');
