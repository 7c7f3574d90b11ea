import { Client, Connection } from '@temporalio/client';
import { activeTracing } from '../tracing';

/** A Temporal client for the API: starts workflows, queries progress, cancels and retries runs. */
export async function connectTemporalClient(address: string, namespace: string): Promise<Client> {
  const connection = await Connection.connect({ address });
  // Traced, a start carries the request's trace context into the workflow's headers.
  const tracing = activeTracing();
  return new Client({ connection, namespace, ...(tracing ? { interceptors: { workflow: tracing.clientInterceptors() } } : {}) });
}
