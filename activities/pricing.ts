/**
 * Provider prices: the one table that validates models and sizes and turns usage into cost
 * (docs/configuration.md). A model outside the table is accepted only when its settings give `config.pricing`.
 */

export interface TextRates {
  /** USD per 1M input tokens. */
  input_per_1m: number;
  /** USD per 1M output tokens. */
  output_per_1m: number;
  /** Whether the model honours `response_format: {type: "json_object"}`. */
  json_mode?: boolean;
}

export type ImageProvider = 'openai' | 'runware';

export interface ImageRates {
  /** The provider that serves the model: a model of one provider is unknown to the other. */
  provider: ImageProvider;
  /** USD per image, by size ("1024x1024"); the keys are the model's valid sizes. */
  per_image_by_size: Record<string, number>;
}

export const TEXT_MODEL_RATES: Record<string, TextRates> = {
  'gpt-4o-mini': { input_per_1m: 0.15, output_per_1m: 0.6, json_mode: true },
  'gpt-4o': { input_per_1m: 2.5, output_per_1m: 10, json_mode: true },
  'gpt-4.1': { input_per_1m: 2, output_per_1m: 8, json_mode: true },
  'gpt-4.1-mini': { input_per_1m: 0.4, output_per_1m: 1.6, json_mode: true },
  'gpt-4.1-nano': { input_per_1m: 0.1, output_per_1m: 0.4, json_mode: true },
  'gpt-5': { input_per_1m: 1.25, output_per_1m: 10, json_mode: true },
  'gpt-5-mini': { input_per_1m: 0.25, output_per_1m: 2, json_mode: true },
  'o4-mini': { input_per_1m: 1.1, output_per_1m: 4.4, json_mode: true },
};

export const IMAGE_MODEL_RATES: Record<string, ImageRates> = {
  'dall-e-3': { provider: 'openai', per_image_by_size: { '1024x1024': 0.04, '1024x1792': 0.08, '1792x1024': 0.08 } },
  'dall-e-2': { provider: 'openai', per_image_by_size: { '256x256': 0.016, '512x512': 0.018, '1024x1024': 0.02 } },
  'gpt-image-1': { provider: 'openai', per_image_by_size: { '1024x1024': 0.042, '1024x1536': 0.063, '1536x1024': 0.063 } },
  'runware:97@1': { provider: 'runware', per_image_by_size: { '1024x1024': 0.009, '1280x768': 0.009, '768x1280': 0.009 } },
};

/** Rates given in an account's settings for a model outside the table (a local model server). */
export interface CustomPricing {
  input_per_1m?: number;
  output_per_1m?: number;
  per_image?: number;
}

export type RateLookup<T> = { ok: true; rates: T } | { ok: false; error: string };

export function textRates(model: string, custom?: CustomPricing): RateLookup<TextRates> {
  const known = TEXT_MODEL_RATES[model];
  if (known) return { ok: true, rates: known };
  if (custom && isRate(custom.input_per_1m) && isRate(custom.output_per_1m)) {
    return { ok: true, rates: { input_per_1m: custom.input_per_1m, output_per_1m: custom.output_per_1m } };
  }
  return {
    ok: false,
    error:
      `Model '${model}' is not in the pricing table. Allowed models: ${Object.keys(TEXT_MODEL_RATES).join(', ')}; ` +
      `or give its rates in the integration's config.pricing as {"input_per_1m", "output_per_1m"}.`,
  };
}

/** Cost in USD of one text request. */
export function textCost(rates: TextRates, inputTokens: number, outputTokens: number): number {
  const cost = (inputTokens * rates.input_per_1m + outputTokens * rates.output_per_1m) / 1_000_000;
  return Math.round(cost * 1e8) / 1e8;
}

/**
 * The most a text call can cost: its prompt's tokens (at most one per 3 characters, a safe bound
 * for the tokenizers in use) and `maxTokens` of answer.
 */
export function maxTextCallCost(rates: TextRates, promptChars: number, maxTokens: number): number {
  return textCost(rates, Math.ceil(promptChars / 3), maxTokens);
}

function isRate(value: unknown): value is number {
  return typeof value === 'number' && Number.isFinite(value) && value >= 0;
}

/** A checked image model: its price per image and the pixel size it draws. */
export interface ImageModelRates {
  per_image: number;
  width: number;
  height: number;
}

/** `"1024x1024"` → 1024 × 1024; undefined for anything that is not WIDTHxHEIGHT. */
export function imageDimensions(size: string): { width: number; height: number } | undefined {
  const match = /^(\d{2,5})x(\d{2,5})$/.exec(size.trim());
  return match ? { width: Number(match[1]), height: Number(match[2]) } : undefined;
}

// Runware's bounds for width and height: 128–2048 pixels, multiples of 64.
const RUNWARE_SIDE = { min: 128, max: 2048, step: 64 };

/**
 * Checks an image model against the table: the model must be served by the chosen
 * provider and the size must be one of the model's sizes. A model outside the table is accepted
 * when the settings give its `per_image` price; its size must still be one the provider can draw.
 */
export function imageRates(provider: ImageProvider, model: string, size: string, custom?: CustomPricing): RateLookup<ImageModelRates> {
  const dimensions = imageDimensions(size);
  if (!dimensions) return { ok: false, error: `Image size '${size}' is not WIDTHxHEIGHT, like 1024x1024.` };
  const known = IMAGE_MODEL_RATES[model];
  if (known) {
    if (known.provider !== provider) {
      return {
        ok: false,
        error:
          `Image model '${model}' is served by ${known.provider}, but the image provider is '${provider}'. ` +
          `Set 'provider' to '${known.provider}', or choose a ${provider} model: ${imageModelsOf(provider)}.`,
      };
    }
    const price = known.per_image_by_size[size];
    if (price === undefined) {
      return {
        ok: false,
        error: `Image size '${size}' is not valid for model '${model}'. Allowed sizes: ${Object.keys(known.per_image_by_size).join(', ')}.`,
      };
    }
    return { ok: true, rates: { per_image: price, ...dimensions } };
  }
  if (custom && isRate(custom.per_image)) {
    if (provider === 'runware' && !(fitsRunware(dimensions.width) && fitsRunware(dimensions.height))) {
      return {
        ok: false,
        error: `Image size '${size}' is not valid for Runware: width and height must be multiples of ${RUNWARE_SIDE.step} between ${RUNWARE_SIDE.min} and ${RUNWARE_SIDE.max}.`,
      };
    }
    return { ok: true, rates: { per_image: custom.per_image, ...dimensions } };
  }
  return {
    ok: false,
    error:
      `Image model '${model}' is not in the pricing table. Allowed ${provider} image models: ${imageModelsOf(provider)}; ` +
      `or give its price in the image_generation config.pricing as {"per_image"}.`,
  };
}

/** Cost in USD of one image: what the provider reported when it did, else the table's price. */
export function imageCost(rates: Pick<ImageModelRates, 'per_image'>, reportedCost?: number): number {
  const cost = isRate(reportedCost) ? reportedCost : rates.per_image;
  return Math.round(cost * 1e8) / 1e8;
}

function imageModelsOf(provider: ImageProvider): string {
  return Object.entries(IMAGE_MODEL_RATES)
    .filter(([, rates]) => rates.provider === provider)
    .map(([model]) => model)
    .join(', ');
}

function fitsRunware(side: number): boolean {
  return side >= RUNWARE_SIDE.min && side <= RUNWARE_SIDE.max && side % RUNWARE_SIDE.step === 0;
}
