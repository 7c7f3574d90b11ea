import { imageCost, imageDimensions, imageRates, textRates } from '../../activities/pricing';

describe('image models are checked against the pricing table', () => {
  it('prices a known model at a valid size and gives its pixel size', () => {
    expect(imageRates('openai', 'dall-e-3', '1792x1024')).toEqual({ ok: true, rates: { per_image: 0.08, width: 1792, height: 1024 } });
    expect(imageRates('runware', 'runware:97@1', '1280x768')).toEqual({ ok: true, rates: { per_image: 0.009, width: 1280, height: 768 } });
  });

  it('refuses a size the model does not draw, naming it and the allowed sizes', () => {
    expect(imageRates('openai', 'dall-e-3', '512x512')).toEqual({
      ok: false,
      error: "Image size '512x512' is not valid for model 'dall-e-3'. Allowed sizes: 1024x1024, 1024x1792, 1792x1024.",
    });
  });

  it('refuses a size that is not WIDTHxHEIGHT', () => {
    expect(imageRates('openai', 'dall-e-3', 'large')).toEqual({ ok: false, error: "Image size 'large' is not WIDTHxHEIGHT, like 1024x1024." });
  });

  it('refuses an unknown model, naming the provider’s models and how to price it', () => {
    const result = imageRates('openai', 'dall-e-9', '1024x1024');
    expect(result.ok).toBe(false);
    if (result.ok) return;
    expect(result.error).toContain("Image model 'dall-e-9' is not in the pricing table");
    expect(result.error).toContain('dall-e-3, dall-e-2, gpt-image-1');
    expect(result.error).not.toContain('runware:97@1');
    expect(result.error).toContain('config.pricing as {"per_image"}');
  });

  it('accepts a model outside the table when its per-image price is given', () => {
    expect(imageRates('openai', 'local-sdxl', '768x768', { per_image: 0.001 })).toEqual({
      ok: true,
      rates: { per_image: 0.001, width: 768, height: 768 },
    });
    expect(imageRates('runware', 'civitai:4384@130072', '1024x1024', { per_image: 0 }).ok).toBe(true);
  });

  it('keeps Runware sizes within its bounds for models outside the table', () => {
    const result = imageRates('runware', 'civitai:4384@130072', '1000x1000', { per_image: 0.002 });
    expect(result).toEqual({
      ok: false,
      error: "Image size '1000x1000' is not valid for Runware: width and height must be multiples of 64 between 128 and 2048.",
    });
    expect(imageRates('runware', 'civitai:4384@130072', '4096x1024', { per_image: 0.002 }).ok).toBe(false);
  });

  it('refuses a model of the other provider, saying which provider serves it', () => {
    expect(imageRates('runware', 'dall-e-3', '1024x1024')).toEqual({
      ok: false,
      error: "Image model 'dall-e-3' is served by openai, but the image provider is 'runware'. Set 'provider' to 'openai', or choose a runware model: runware:97@1.",
    });
  });
});

describe('image cost and sizes', () => {
  it('uses the provider’s reported cost when it gives one, else the table price', () => {
    expect(imageCost({ per_image: 0.04 })).toBe(0.04);
    expect(imageCost({ per_image: 0.009 }, 0.0037748736)).toBe(0.00377487);
    expect(imageCost({ per_image: 0.009 }, Number.NaN)).toBe(0.009);
    expect(imageCost({ per_image: 0.009 }, 0)).toBe(0);
  });

  it('reads WIDTHxHEIGHT sizes', () => {
    expect(imageDimensions('1024x1792')).toEqual({ width: 1024, height: 1792 });
    expect(imageDimensions('1024 x 1792')).toBeUndefined();
    expect(imageDimensions('auto')).toBeUndefined();
  });

  it('leaves text pricing as it was', () => {
    expect(textRates('gpt-4o-mini')).toEqual({ ok: true, rates: { input_per_1m: 0.15, output_per_1m: 0.6, json_mode: true } });
  });
});
