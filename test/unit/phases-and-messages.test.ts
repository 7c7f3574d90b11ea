import { phasePercentage } from '../../pipeline/phases';
import { validatingMessage } from '../../pipeline/definition';
import { autoCluster } from '../../functions/auto-cluster/definition';
import { fillPlaceholders } from '../../activities/prompts';
import { textCost, textRates } from '../../activities/pricing';
import { creditsForCost, creditsToReserve } from '../../activities/credits';

describe('phase percentages', () => {
  it('spans each phase range and never passes its end', () => {
    expect(phasePercentage('AI_CALL', 0, 4)).toBe(25);
    expect(phasePercentage('AI_CALL', 2, 4)).toBe(48);
    expect(phasePercentage('AI_CALL', 4, 4)).toBe(70);
    expect(phasePercentage('AI_CALL', 9, 4)).toBe(70);
    expect(phasePercentage('SAVE', 0, 0)).toBe(85);
  });
});

describe("auto_cluster's INIT message for keywords", () => {
  it('names up to three keywords, then counts the rest', () => {
    expect(validatingMessage(['a'], 1, 'keyword')).toBe('Validating a');
    expect(validatingMessage(['a', 'b'], 2, 'keyword')).toBe('Validating a and b');
    expect(validatingMessage(['a', 'b', 'c'], 3, 'keyword')).toBe('Validating a, b and c');
    expect(validatingMessage(['a', 'b', 'c'], 10, 'keyword')).toBe('Validating a, b, c and 7 more keywords');
  });

  it("fills auto_cluster's phase messages", () => {
    expect(autoCluster.messages.PREP({ names: [], count: 4 })).toBe('Loading 4 keyword(s)');
    expect(autoCluster.messages.PARSE({ names: [], count: 2 })).toBe('2 cluster(s) created');
    expect(autoCluster.messages.SAVE({ names: [], count: 2 })).toBe('Saving 2 cluster(s)');
  });
});

describe('prompt placeholders', () => {
  it('fills [IGNY8_*] and {name} in one pass, never inside filled text', () => {
    const filled = fillPlaceholders('K:\n[IGNY8_KEYWORDS]\nfor {sector} [IGNY8_OTHER]', { KEYWORDS: '- {sector} shoes', sector: 'Running' });
    expect(filled).toBe('K:\n- {sector} shoes\nfor Running [IGNY8_OTHER]');
  });
});

describe('pricing', () => {
  it('prices known models per 1M tokens', () => {
    const rates = textRates('gpt-4o-mini');
    expect(rates.ok).toBe(true);
    if (rates.ok) expect(textCost(rates.rates, 1_000_000, 500_000)).toBeCloseTo(0.15 + 0.3, 10);
  });

  it('accepts an unknown model only with rates in the settings', () => {
    const refused = textRates('local-llama');
    expect(refused.ok).toBe(false);
    if (!refused.ok) expect(refused.error).toMatch(/'local-llama' is not in the pricing table.*gpt-4o-mini/);
    expect(textRates('local-llama', { input_per_1m: 0, output_per_1m: 0 }).ok).toBe(true);
  });

  it('charges one credit per started cent; a call reserves at least one', () => {
    expect(creditsForCost(0)).toBe(0);
    expect(creditsForCost(0.000001)).toBe(1);
    expect(creditsForCost(0.01)).toBe(1);
    expect(creditsForCost(0.0101)).toBe(2);
    expect(creditsToReserve(0)).toBe(1);
    expect(creditsToReserve(0.0101)).toBe(2);
  });
});
