/**
 * The worker's tracing (tracing/): imported first by main.ts, because the PostgreSQL
 * instrumentation patches the driver as it loads.
 */
import { startProcessTracing } from '../tracing';

export const tracing = startProcessTracing('ai-task-worker');
