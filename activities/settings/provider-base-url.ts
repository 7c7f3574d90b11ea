import { configurationError } from '../failures';
import { checkProviderUrl, refusalMessage, type ProviderHostPolicy, type ProviderName } from '../provider-hosts';

// OpenAI's public API, the SDK's own default; `baseUrl` in the openai settings points elsewhere.
export const OPENAI_DEFAULT_BASE_URL = 'https://api.openai.com/v1';

/**
 * Fails, as a configuration error (final: retrying cannot fix a setting), when `baseUrl` points
 * where `hosts` does not let `provider` calls go. The loaders call it at INIT, so such a run fails
 * before any request; the clients call it again before each call.
 */
export function assertBaseUrlAllowed(provider: ProviderName, baseUrl: string, hosts: ProviderHostPolicy, subject: string): void {
  const verdict = checkProviderUrl(hosts, provider, baseUrl);
  if (!verdict.allowed) throw configurationError(refusalMessage(provider, subject, verdict));
}
