import { z } from 'zod';
import type { PrismaClient } from '../../db/client';
import { maxTextCallCost, textRates, type TextRates } from '../pricing';
import { configurationError } from '../failures';
import { currentProviderHosts } from '../provider-host-scope';
import type { ProviderHostPolicy } from '../provider-hosts';
import { assertBaseUrlAllowed, OPENAI_DEFAULT_BASE_URL } from './provider-base-url';

/** `config` of the `openai` integration; unknown keys are kept but ignored. */
export const openAIConfigSchema = z.looseObject({
  apiKey: z.string().optional(),
  model: z.string().optional(),
  max_tokens: z.coerce.number().int().positive().optional(),
  temperature: z.coerce.number().min(0).max(2).optional(),
  response_format: z.unknown().optional(),
  baseUrl: z.string().optional(),
  pricing: z
    .object({ input_per_1m: z.number().optional(), output_per_1m: z.number().optional(), per_image: z.number().optional() })
    .optional(),
});

export interface TextModelSettings {
  apiKey: string;
  model: string;
  maxTokens: number;
  temperature: number;
  jsonMode: boolean;
  baseUrl?: string;
  rates: TextRates;
}

/** The only defaults of the text-model settings: API limits, never a model. */
export const DEFAULT_MAX_TOKENS = 4000;
export const DEFAULT_TEMPERATURE = 0.7;

/**
 * The account's text-model settings from its active `openai` IntegrationSettings, and nothing else:
 * no model defaults, no environment fallbacks. Fails with the messages of docs/configuration.md,
 * and when `baseUrl` points where `hosts` (the running activity's policy unless given) refuses.
 */
export async function loadTextModelSettings(
  prisma: PrismaClient,
  accountId: number,
  hosts: ProviderHostPolicy = currentProviderHosts(),
): Promise<TextModelSettings> {
  const row = await prisma.integrationSettings.findUnique({
    where: { accountId_integrationType: { accountId, integrationType: 'openai' } },
  });
  if (!row || !row.isActive) {
    throw configurationError(
      `OpenAI IntegrationSettings not configured for account ${accountId}. Please configure OpenAI settings in the integration page.`,
    );
  }
  const parsed = openAIConfigSchema.safeParse(row.config ?? {});
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    throw configurationError(
      `OpenAI IntegrationSettings for account ${accountId} are invalid at '${issue.path.join('.')}': ${issue.message}.`,
    );
  }
  const config = parsed.data;
  if (!config.model) {
    throw configurationError(
      `Model not configured in IntegrationSettings for account ${accountId}. Please set 'model' in OpenAI integration settings.`,
    );
  }
  if (!config.apiKey) {
    throw configurationError(
      `API key not configured in IntegrationSettings for account ${accountId}. Please set 'apiKey' in OpenAI integration settings.`,
    );
  }
  const baseUrl = config.baseUrl || undefined;
  assertBaseUrlAllowed('openai', baseUrl ?? OPENAI_DEFAULT_BASE_URL, hosts, `The OpenAI base URL in IntegrationSettings for account ${accountId}`);
  const rates = textRates(config.model, config.pricing);
  if (!rates.ok) throw configurationError(rates.error);
  return {
    apiKey: config.apiKey,
    model: config.model,
    maxTokens: config.max_tokens ?? DEFAULT_MAX_TOKENS,
    temperature: config.temperature ?? DEFAULT_TEMPERATURE,
    jsonMode: wantsJsonMode(config.response_format, rates.rates),
    baseUrl,
    rates: rates.rates,
  };
}

/** JSON mode where the model supports it, unless the settings ask for plain text. */
function wantsJsonMode(responseFormat: unknown, rates: TextRates): boolean {
  const asked = typeof responseFormat === 'object' && responseFormat ? (responseFormat as { type?: unknown }).type : responseFormat;
  if (asked === 'text') return false;
  return rates.json_mode === true || asked === 'json_object';
}

/** The most one call with these settings can cost (see maxTextCallCost). */
export function textCallCost(settings: unknown, promptChars: number): number {
  const { rates, maxTokens } = settings as TextModelSettings;
  return maxTextCallCost(rates, promptChars, maxTokens);
}
