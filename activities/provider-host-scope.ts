import { AsyncLocalStorage } from 'node:async_hooks';
import { commaList } from '../config/env';
import { providerHostPolicy, type ProviderHostPolicy } from './provider-hosts';

/**
 * Which provider host policy the running activity's calls see. The worker binds its policy
 * (ActivityDeps.providerHosts) around every activity, so the settings loaders and the clients find
 * it without each call site passing it along, and two workers in one process (the tests) each keep
 * their own.
 */

const scope = new AsyncLocalStorage<ProviderHostPolicy>();
let processPolicy: ProviderHostPolicy | undefined;

/** The activities, each running with `policy` as its provider host policy. */
export function bindProviderHosts<T extends object>(activities: T, policy: ProviderHostPolicy): T {
  const bound = Object.entries(activities).map(([name, activity]) => [
    name,
    typeof activity === 'function' ? (...args: unknown[]) => scope.run(policy, () => activity(...args)) : activity,
  ]);
  return Object.fromEntries(bound) as T;
}

/**
 * The running activity's policy. Outside a worker that bound one (the bench's direct pipeline),
 * the process's own AI_PROVIDER_ALLOWED_HOSTS: the operator's list either way, never the tenant's.
 */
export function currentProviderHosts(): ProviderHostPolicy {
  return scope.getStore() ?? (processPolicy ??= providerHostPolicy(commaList(process.env.AI_PROVIDER_ALLOWED_HOSTS ?? '')));
}
