import type { ImageProvider } from './pricing';
import { isAddressLiteral, nonPublicAddressKind } from './provider-addresses';

/**
 * Where AI calls may go. A tenant's `baseUrl` alone may only name its provider's public HTTPS API;
 * anything else (a self-hosted OpenAI-compatible server, the demo provider, an address on the
 * worker's own network) needs the operator: a `host` or `host:port` in AI_PROVIDER_ALLOWED_HOSTS.
 * Without this, a tenant's setting makes the worker POST anywhere it can reach.
 */

export type ProviderName = ImageProvider;

/** The providers' public APIs, reachable over https on 443 without the operator listing them. */
export const PUBLIC_PROVIDER_HOSTS: Record<ProviderName, string> = { openai: 'api.openai.com', runware: 'api.runware.ai' };

export const PROVIDER_LABELS: Record<ProviderName, string> = { openai: 'OpenAI', runware: 'Runware' };

interface ListedHost {
  /** Canonical: lower case, no trailing dot, IPv4 dotted, IPv6 without brackets. */
  host: string;
  /** Absent: every port of the host. */
  port?: number;
}

/** The operator's list, parsed once; handed to activities through ActivityDeps. */
export interface ProviderHostPolicy {
  readonly listed: readonly ListedHost[];
}

export type HostVerdict = { allowed: true } | HostRefusal;

export interface HostRefusal {
  allowed: false;
  reason: 'not-a-url' | 'scheme' | 'credentials' | 'not-listed' | 'resolved-non-public';
  /** What the operator would list to allow it: `host`, or `host:port` when the URL names a port. */
  host: string;
  /** Follows the host in messages (' (a loopback address)', ' over plain http'); for `scheme`, the scheme. */
  detail: string;
}

/** A connect-time refusal, carried through the HTTP client as the cause of its network error. */
export class ProviderHostRefusedError extends Error {
  constructor(
    readonly provider: ProviderName,
    readonly refusal: HostRefusal,
  ) {
    super(refusalMessage(provider, `The ${PROVIDER_LABELS[provider]} base URL`, refusal));
    this.name = 'ProviderHostRefusedError';
  }
}

/**
 * Parses AI_PROVIDER_ALLOWED_HOSTS entries (`host`, `host:port`, `[ipv6]`, `[ipv6]:port`); a bad
 * entry stops the worker at start rather than silently allowing or refusing something else.
 */
export function providerHostPolicy(entries: readonly string[] = []): ProviderHostPolicy {
  return { listed: entries.map(parseEntry) };
}

const ENTRY = /^(\[[0-9a-fA-F:.]+\]|[^\s:/\\?#@[\]]+)(?::(\d{1,5}))?$/;

function parseEntry(entry: string): ListedHost {
  const invalid = (why: string) => new Error(`AI_PROVIDER_ALLOWED_HOSTS entry '${entry}' is invalid: ${why}`);
  if (entry.includes('*')) throw invalid('wildcards are not supported; list each host');
  const match = ENTRY.exec(entry.trim());
  if (!match) throw invalid('expected host or host:port (IPv6 in brackets), without a scheme or path');
  const port = match[2] === undefined ? undefined : Number(match[2]);
  if (port !== undefined && (port < 1 || port > 65535)) throw invalid('the port must be between 1 and 65535');
  let hostname: string;
  try {
    // The URL parser spells the host as URLs will (2130706433 → 127.0.0.1, upper → lower case).
    hostname = new URL(`http://${match[1]}/`).hostname;
  } catch {
    throw invalid('not a host name or IP address');
  }
  return { host: canonicalHost(hostname), port };
}

/** Checks a base URL as the loaders and the clients see it. */
export function checkProviderUrl(policy: ProviderHostPolicy, provider: ProviderName, text: string): HostVerdict {
  let url: URL;
  try {
    url = new URL(text);
  } catch {
    return { allowed: false, reason: 'not-a-url', host: '', detail: '' };
  }
  // `https://api.openai.com@127.0.0.1/` goes to 127.0.0.1; a URL with user info is refused outright.
  if (url.username || url.password) return { allowed: false, reason: 'credentials', host: '', detail: '' };
  return checkProviderOrigin(policy, provider, { protocol: url.protocol, hostname: url.hostname, port: url.port });
}

/**
 * Checks where a connection is about to go. `port` is as URLs give it: '' for the scheme's
 * default. The HTTP client's connector calls this for every new connection.
 */
export function checkProviderOrigin(
  policy: ProviderHostPolicy,
  provider: ProviderName,
  origin: { protocol: string; hostname: string; port: string },
): HostVerdict {
  if (origin.protocol !== 'https:' && origin.protocol !== 'http:') {
    return { allowed: false, reason: 'scheme', host: '', detail: origin.protocol.replace(/:$/, '') };
  }
  const host = canonicalHost(origin.hostname);
  const port = Number(origin.port) || (origin.protocol === 'https:' ? 443 : 80);
  if (policy.listed.some((entry) => entry.host === host && (entry.port === undefined || entry.port === port))) return { allowed: true };
  const publicHost = PUBLIC_PROVIDER_HOSTS[provider];
  if (host === publicHost && origin.protocol === 'https:' && port === 443) return { allowed: true };
  const named = listingOf(host, origin.port);
  if (host === publicHost) {
    // Another port shows in `named` already.
    return { allowed: false, reason: 'not-listed', host: named, detail: origin.protocol === 'http:' ? ' over plain http' : '' };
  }
  const kind = nonPublicAddressKind(host) ?? (isAddressLiteral(host) ? 'an IP address' : undefined);
  return { allowed: false, reason: 'not-listed', host: named, detail: kind ? ` (${kind})` : '' };
}

/**
 * Checks an address a host name resolved to, before connecting to it. A listed host may resolve
 * anywhere (the operator vouched for it); any other name must resolve to public addresses only,
 * so a public-looking name that points at the worker's network (DNS rebinding) is refused.
 */
export function checkResolvedAddress(policy: ProviderHostPolicy, hostname: string, address: string): HostVerdict {
  const host = canonicalHost(hostname);
  if (policy.listed.some((entry) => entry.host === host)) return { allowed: true };
  const kind = nonPublicAddressKind(address);
  if (!kind) return { allowed: true };
  return { allowed: false, reason: 'resolved-non-public', host, detail: ` resolved to ${address} (${kind})` };
}

/** The configuration message for a refusal; `subject` names the setting ("The OpenAI base URL …"). */
export function refusalMessage(provider: ProviderName, subject: string, refusal: HostRefusal): string {
  const allowedByDefault = `https://${PUBLIC_PROVIDER_HOSTS[provider]}`;
  const mustList = `The operator must list '${refusal.host}' in AI_PROVIDER_ALLOWED_HOSTS to allow it.`;
  switch (refusal.reason) {
    case 'not-a-url':
      return `${subject} is not a valid URL.`;
    case 'credentials':
      return `${subject} holds a user name or password; the key belongs in 'apiKey'.`;
    case 'scheme':
      return `${subject} uses the scheme '${refusal.detail}'; AI providers are called over https (or http at a host listed in AI_PROVIDER_ALLOWED_HOSTS).`;
    case 'not-listed':
      return `${subject} points at '${refusal.host}'${refusal.detail}, which AI calls may not reach: by default only ${allowedByDefault} is allowed. ${mustList}`;
    case 'resolved-non-public':
      return `The ${PROVIDER_LABELS[provider]} host '${refusal.host}'${refusal.detail}, which AI calls may not reach unless the host is listed. ${mustList}`;
  }
}

function canonicalHost(hostname: string): string {
  return hostname
    .toLowerCase()
    .replace(/^\[(.*)\]$/, '$1')
    .replace(/\.$/, '');
}

function listingOf(host: string, port: string): string {
  const shown = host.includes(':') ? `[${host}]` : host;
  return port ? `${shown}:${port}` : shown;
}
