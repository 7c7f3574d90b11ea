/**
 * One trace per task: the API's HTTP span, the workflow's start and run, every activity and the
 * provider call, with the PostgreSQL queries beneath them, exported over OTLP/HTTP. Off unless an
 * OTLP endpoint is configured (tracing/config.ts); off, no OpenTelemetry module is loaded, no
 * interceptor runs in the API or the activities, and the workflow bundle's interceptors
 * (workflow-interceptors.ts) pass every run without a trace context through untouched.
 */
import path from 'node:path';
import type { WorkflowClientInterceptor } from '@temporalio/client';
import type { ActivityInterceptorsFactory, InjectedSinks } from '@temporalio/worker';
import type { OpenTelemetrySinks } from '@temporalio/interceptors-opentelemetry';
import { readTracingConfig, type TracingConfig } from './config';

export type { TracingConfig } from './config';

export interface Tracing {
  readonly config: TracingConfig;
  /** For the Temporal client: a `StartWorkflow:…` span per start, whose context travels in the workflow's headers. */
  clientInterceptors(): WorkflowClientInterceptor[];
  /** For the worker: a `RunActivity:…` span per activity, a child of the workflow's `StartActivity:…`. */
  activityInterceptors(): ActivityInterceptorsFactory[];
  /** For the worker: where the spans made inside the workflow sandbox leave it. */
  workflowSinks(): InjectedSinks<OpenTelemetrySinks>;
  /** Names the current HTTP server span after the route that answers it (`POST /api/v1/…/`). */
  nameServerSpan(route: string): void;
  /** Sends the spans still buffered; called once, as the process stops. */
  shutdown(): Promise<void>;
}

let active: Tracing | undefined;

/**
 * Starts the process's tracing when the environment asks for it. Called before the HTTP server
 * and the PostgreSQL driver are loaded, since their instrumentations patch those modules as they
 * load. Throws, naming the variable, on a setting it cannot honour.
 */
export function startTracing(defaultServiceName: string, env: NodeJS.ProcessEnv = process.env): Tracing | undefined {
  if (active) return active;
  const config = readTracingConfig(defaultServiceName, env);
  if (!config) return undefined;
  // Loaded only here, so that with tracing off no SDK module is.
  const { startTracingSdk } = require('./sdk') as typeof import('./sdk');
  active = startTracingSdk(config, env);
  return active;
}

/**
 * startTracing for a process's entry point, imported before anything else: a setting it cannot
 * honour stops the process with one line naming the variable, and a traced process says where its
 * spans go.
 */
export function startProcessTracing(defaultServiceName: string): Tracing | undefined {
  let tracing: Tracing | undefined;
  try {
    tracing = startTracing(defaultServiceName);
  } catch (err) {
    console.error(err instanceof Error ? err.message : err);
    process.exit(1);
  }
  if (tracing) console.log(describeTracing(tracing));
  return tracing;
}

/** The tracing this process started, if any. */
export function activeTracing(): Tracing | undefined {
  return active;
}

/** One line for the process's start-up output; the endpoint without any credentials in it. */
export function describeTracing(tracing: Tracing): string {
  const url = new URL(tracing.config.tracesUrl);
  url.username = '';
  url.password = '';
  return `Tracing: spans of '${tracing.config.serviceName}' go to ${url.href} (OTLP ${tracing.config.protocol})`;
}

/**
 * The workflow interceptors module the worker's workflow bundle includes (bundleWorkflowCode's
 * `workflowInterceptorModules`): every bundle has it, traced or not, since a bundle is built once.
 */
export function workflowInterceptorModules(): string[] {
  return [require.resolve(path.join(__dirname, 'workflow-interceptors'))];
}

/**
 * A worker without tracing still accepts the spans of a run started by a traced API, and drops
 * them, rather than logging an unknown sink on every workflow task.
 */
export const UNTRACED_WORKFLOW_SINKS: InjectedSinks<OpenTelemetrySinks> = {
  exporter: { export: { fn: () => undefined } },
};
