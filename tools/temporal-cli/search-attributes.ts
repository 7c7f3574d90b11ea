/**
 * Registers the service's custom search attributes (core/search-attributes.ts) on a namespace
 * through the operator service, so it works against any server: the dev server, the docker-compose
 * stack, or a cluster run by someone else. Safe on every start: only missing names are added.
 */
import { Connection, isGrpcServiceError } from '@temporalio/client';
import { SearchAttributeType, TypedSearchAttributes } from '@temporalio/common';
import { encodeSearchAttributeIndexedValueType } from '@temporalio/common/lib/search-attributes';
import { setTimeout as sleep } from 'node:timers/promises';
import { SEARCH_ATTRIBUTES } from '../../pipeline/search-attributes';

const GRPC_ALREADY_EXISTS = 6;
const GRPC_INVALID_ARGUMENT = 3;
const USABLE_TIMEOUT_MS = 30_000;

export async function registerSearchAttributes(address: string, namespace = 'default'): Promise<{ added: string[] }> {
  const connection = await Connection.connect({ address });
  try {
    const { customAttributes } = await connection.operatorService.listSearchAttributes({ namespace });
    const missing: Record<string, number> = {};
    for (const key of SEARCH_ATTRIBUTES) {
      const wanted = indexedValueType(key.type);
      const existing = customAttributes?.[key.name];
      if (existing === undefined || existing === null) missing[key.name] = wanted;
      else if (existing !== wanted) {
        // The server would keep the old type and silently accept the request, so say it here.
        throw new Error(
          `Search attribute ${key.name} already exists on namespace "${namespace}" at ${address} as ${typeName(existing)}, ` +
            `but this service writes it as ${TypedSearchAttributes.toMetadataType(key.type)}. Remove it or use another namespace.`,
        );
      }
    }
    const added = Object.keys(missing);
    if (added.length === 0) return { added };

    try {
      await connection.operatorService.addSearchAttributes({ namespace, searchAttributes: missing });
    } catch (err) {
      // Another process (a second launcher, the compose init step) registered them first.
      if (!(isGrpcServiceError(err) && err.code === GRPC_ALREADY_EXISTS)) throw err;
    }
    await waitUntilQueryable(connection, namespace, added);
    return { added };
  } finally {
    await connection.close();
  }
}

/**
 * The server lists a new attribute at once, but its namespace cache picks it up a moment later;
 * until then starting a workflow that sets it fails. A visibility query naming the attributes is
 * rejected with INVALID_ARGUMENT for exactly as long.
 */
async function waitUntilQueryable(connection: Connection, namespace: string, names: string[]): Promise<void> {
  const query = names.map((name) => `${name} = 'registration-check'`).join(' AND ');
  const deadline = Date.now() + USABLE_TIMEOUT_MS;
  for (;;) {
    try {
      await connection.workflowService.countWorkflowExecutions({ namespace, query });
      return;
    } catch (err) {
      const notYet = isGrpcServiceError(err) && err.code === GRPC_INVALID_ARGUMENT;
      if (!notYet || Date.now() > deadline) throw err;
    }
    await sleep(250);
  }
}

function indexedValueType(type: SearchAttributeType): number {
  return encodeSearchAttributeIndexedValueType(type) as number;
}

function typeName(indexedType: number): string {
  const type = Object.values(SearchAttributeType).find((t) => indexedValueType(t) === indexedType);
  return type ? TypedSearchAttributes.toMetadataType(type) : `type #${indexedType}`;
}
