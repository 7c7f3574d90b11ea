/**
 * Registers the service's search attributes on a Temporal server that this project did not start
 * (the docker-compose stack, a shared cluster): TEMPORAL_ADDRESS (default localhost:7233),
 * TEMPORAL_NAMESPACE (default "default"). Safe to run again.
 */
import { registerSearchAttributes } from './search-attributes';
import { waitForNamespace } from './wait-for-server';

const address = process.env.TEMPORAL_ADDRESS || 'localhost:7233';
const namespace = process.env.TEMPORAL_NAMESPACE || 'default';
// A server container reports healthy before its namespace exists.
const WAIT_MS = 120_000;

async function main(): Promise<void> {
  await waitForNamespace(address, namespace, { timeoutMs: WAIT_MS });
  const { added } = await registerSearchAttributes(address, namespace);
  console.log(
    added.length
      ? `Registered search attributes ${added.join(', ')} on namespace "${namespace}" at ${address}.`
      : `Search attributes already registered on namespace "${namespace}" at ${address}.`,
  );
}

main().catch((err) => {
  console.error((err as Error).message);
  process.exit(1);
});
