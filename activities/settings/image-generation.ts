import { z } from 'zod';
import type { PrismaClient } from '../../db/client';
import { imageRates, type ImageModelRates, type ImageProvider } from '../pricing';
import { configurationError } from '../failures';
import { currentProviderHosts } from '../provider-host-scope';
import type { ProviderHostPolicy } from '../provider-hosts';
import { assertBaseUrlAllowed, OPENAI_DEFAULT_BASE_URL } from './provider-base-url';

/**
 * The `image_generation` IntegrationSettings and the provider credentials image
 * requests use. Layout keys have defaults; provider and model never do: without them a run fails
 * at INIT saying what to set.
 */

// The old system extracted 3 in-article prompts unless told otherwise; 10 keeps one run's cost sane.
export const DEFAULT_MAX_IN_ARTICLE_IMAGES = 3;
const MAX_IN_ARTICLE_IMAGES_LIMIT = 10;
// Every model in the pricing table draws 1024x1024; any other size is checked against the model.
export const DEFAULT_IMAGE_SIZE = '1024x1024';
// Runware's public task API; `baseUrl` in the runware settings points elsewhere.
export const RUNWARE_DEFAULT_BASE_URL = 'https://api.runware.ai/v1';

const flag = z.union([z.boolean(), z.enum(['true', 'false']).transform((v) => v === 'true')]);

export const imageGenerationConfigSchema = z.looseObject({
  provider: z.string().optional(),
  model: z.string().optional(),
  size: z.string().optional(),
  image_type: z.enum(['realistic', 'artistic', 'cartoon']).default('realistic'),
  image_format: z.enum(['webp', 'jpg', 'png']).default('webp'),
  max_in_article_images: z.coerce.number().int().min(0).max(MAX_IN_ARTICLE_IMAGES_LIMIT).default(DEFAULT_MAX_IN_ARTICLE_IMAGES),
  // Desktop images by default; mobile variants double the cost, so an account turns them on.
  desktop_enabled: flag.default(true),
  mobile_enabled: flag.default(false),
  pricing: z.object({ per_image: z.number().nonnegative().optional() }).optional(),
});

/** In-article images come in these variants, each enabled in the image_generation settings. */
export type ImageVariant = 'desktop' | 'mobile';

/** Where in-article images go and how they look: what prompt extraction needs. */
export interface ImageLayout {
  imageType: 'realistic' | 'artistic' | 'cartoon';
  imageFormat: 'webp' | 'jpg' | 'png';
  maxInArticleImages: number;
  variants: ImageVariant[];
}

/** Everything an image request needs, the provider's key included: never leaves the activity. */
export interface ImageGenerationSettings extends ImageLayout {
  provider: ImageProvider;
  model: string;
  size: string;
  rates: ImageModelRates;
  apiKey: string;
  baseUrl?: string;
}

type ImageGenerationConfig = z.infer<typeof imageGenerationConfigSchema>;

async function loadImageGenerationConfig(prisma: PrismaClient, accountId: number): Promise<ImageGenerationConfig> {
  const row = await prisma.integrationSettings.findUnique({
    where: { accountId_integrationType: { accountId, integrationType: 'image_generation' } },
  });
  if (!row || !row.isActive) {
    throw configurationError(
      `Image generation settings not configured for account ${accountId}. ` +
        `Please configure image_generation settings (provider, model, size) in the integration page.`,
    );
  }
  const parsed = imageGenerationConfigSchema.safeParse(row.config ?? {});
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    throw configurationError(
      `Image generation settings for account ${accountId} are invalid at '${issue.path.join('.')}': ${issue.message}.`,
    );
  }
  return parsed.data;
}

function layoutOf(config: ImageGenerationConfig): ImageLayout {
  const variants: ImageVariant[] = [];
  if (config.desktop_enabled) variants.push('desktop');
  if (config.mobile_enabled) variants.push('mobile');
  return {
    imageType: config.image_type,
    imageFormat: config.image_format,
    maxInArticleImages: config.max_in_article_images,
    variants,
  };
}

/** The layout part of the image settings: enough for prompt extraction, which draws nothing. */
export async function loadImageLayout(prisma: PrismaClient, accountId: number): Promise<ImageLayout> {
  return layoutOf(await loadImageGenerationConfig(prisma, accountId));
}

/**
 * The full image settings: provider, model and size checked against the pricing table, and the
 * provider's key from its own integration (`openai` or `runware`), whose `baseUrl` must point where
 * `hosts` (the running activity's policy unless given) lets image calls go.
 */
export async function loadImageGenerationSettings(
  prisma: PrismaClient,
  accountId: number,
  hosts: ProviderHostPolicy = currentProviderHosts(),
): Promise<ImageGenerationSettings> {
  const config = await loadImageGenerationConfig(prisma, accountId);
  if (!config.provider) {
    throw configurationError(
      `Image provider not configured in IntegrationSettings for account ${accountId}. ` +
        `Please set 'provider' (openai or runware) in image_generation integration settings.`,
    );
  }
  if (config.provider !== 'openai' && config.provider !== 'runware') {
    throw configurationError(
      `Image provider '${config.provider}' is not supported (account ${accountId}). ` +
        `Please set 'provider' to openai or runware in image_generation integration settings.`,
    );
  }
  if (!config.model) {
    throw configurationError(
      `Image model not configured in IntegrationSettings for account ${accountId}. ` +
        `Please set 'model' in image_generation integration settings.`,
    );
  }
  const size = config.size || DEFAULT_IMAGE_SIZE;
  const rates = imageRates(config.provider, config.model, size, config.pricing);
  if (!rates.ok) throw configurationError(rates.error);
  const credentials = await loadProviderCredentials(prisma, accountId, config.provider, hosts);
  return { ...layoutOf(config), provider: config.provider, model: config.model, size, rates: rates.rates, ...credentials };
}

const providerConfigSchema = z.looseObject({ apiKey: z.string().optional(), baseUrl: z.string().optional() });

const PROVIDER_NAMES: Record<ImageProvider, string> = { openai: 'OpenAI', runware: 'Runware' };

async function loadProviderCredentials(
  prisma: PrismaClient,
  accountId: number,
  provider: ImageProvider,
  hosts: ProviderHostPolicy,
): Promise<{ apiKey: string; baseUrl?: string }> {
  const name = PROVIDER_NAMES[provider];
  const row = await prisma.integrationSettings.findUnique({
    where: { accountId_integrationType: { accountId, integrationType: provider } },
  });
  if (!row || !row.isActive) {
    throw configurationError(
      `${name} IntegrationSettings not configured for account ${accountId}. ` +
        `Please configure ${name} settings (apiKey) in the integration page: the image provider is ${provider}.`,
    );
  }
  const config = providerConfigSchema.safeParse(row.config ?? {});
  const apiKey = config.success ? config.data.apiKey : undefined;
  if (!apiKey) {
    throw configurationError(
      `API key not configured in IntegrationSettings for account ${accountId}. Please set 'apiKey' in ${name} integration settings.`,
    );
  }
  const baseUrl = (config.success && config.data.baseUrl) || undefined;
  const defaultBaseUrl = provider === 'runware' ? RUNWARE_DEFAULT_BASE_URL : OPENAI_DEFAULT_BASE_URL;
  assertBaseUrlAllowed(provider, baseUrl ?? defaultBaseUrl, hosts, `The ${name} base URL in IntegrationSettings for account ${accountId}`);
  return { apiKey, baseUrl: baseUrl ?? (provider === 'runware' ? RUNWARE_DEFAULT_BASE_URL : undefined) };
}
