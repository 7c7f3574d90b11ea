import fc from 'fast-check';
import { providerErrorCode, redactSecrets } from '../../activities/provider-redaction';

describe('provider error texts are redacted before they enter a failure', () => {
  it('removes the configured keys, wherever and however often they appear', () => {
    const key = 'rw-test-key-fedcba9876543210';
    expect(redactSecrets(`Invalid API key ${key}; you sent "${key}".`, [key])).toBe('Invalid API key [redacted]; you sent "[redacted]".');
  });

  it.each([
    ['Incorrect API key provided: sk-proj-AbCdEf0123456789xyz. Find your key at…', 'Incorrect API key provided: [redacted]. Find your key at…'],
    ['key sk-test-provider-key-0123456789abcdef rejected', 'key [redacted] rejected'],
    ['Authorization: Bearer abc.def.ghi was refused', 'Authorization: [redacted] was refused'],
    ['token 9f8e7d6c5b4a39281706f5e4d3c2b1a0ffeeddcc in body', 'token [redacted] in body'],
  ])('removes key-like tokens: %s', (text, redacted) => {
    expect(redactSecrets(text)).toBe(redacted);
  });

  it('keeps error codes and prose', () => {
    const text = "unsupported_country_region_territory: Country, region, or territory not supported. See https://platform.openai.com/docs.";
    expect(redactSecrets(text)).toBe(text);
  });

  it('generated: a configured key inside any text never survives', () => {
    // A key that overlaps the marker ('redact', '…]') would be "found" in the marker itself.
    const configured = fc.string({ minLength: 6, maxLength: 80 }).filter((k) => !/[[\]]/.test(k) && !'[redacted]'.includes(k));
    fc.assert(
      fc.property(configured, fc.string(), fc.string(), (key, before, after) => {
        expect(redactSecrets(`${before}${key}${after}${key}`, [key])).not.toContain(key);
      }),
    );
  });

  it('generated: an sk- key inside any text never survives', () => {
    const keyChars = fc.constantFrom(...'abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789_-'.split(''));
    const key = fc.array(keyChars, { minLength: 8, maxLength: 64 }).map((chars) => `sk-${chars.join('')}`);
    const around = fc.constantFrom(' ', ': ', '"', "'", '(', '\n', '=');
    fc.assert(
      fc.property(key, around, around, fc.lorem(), (secret, left, right, prose) => {
        expect(redactSecrets(`${prose}${left}${secret}${right}${prose}`)).not.toContain(secret);
      }),
    );
  });
});

describe("a provider's error code is named only when it is one", () => {
  it.each([
    ['invalid_api_key', 'invalid_api_key'],
    ['rateLimitExceeded', 'rateLimitExceeded'],
    ['unsupported_country_region_territory', 'unsupported_country_region_territory'],
    ['Incorrect API key provided', undefined],
    ['sk-test-provider-key-0123456789abcdef', undefined],
    ['x'.repeat(65), undefined],
    [null, undefined],
    [42, undefined],
  ])('%s → %s', (code, named) => {
    expect(providerErrorCode(code)).toBe(named);
  });

  it('drops a code that is the configured key', () => {
    expect(providerErrorCode('rw-key-42', ['rw-key-42'])).toBeUndefined();
  });
});
