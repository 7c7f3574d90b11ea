import fc from 'fast-check';
import { nonPublicAddressKind } from '../../activities/provider-addresses';
import {
  checkProviderUrl,
  checkResolvedAddress,
  providerHostPolicy,
  refusalMessage,
  type HostRefusal,
  type ProviderName,
} from '../../activities/provider-hosts';

const DEFAULT = providerHostPolicy();
const PROVIDERS: ProviderName[] = ['openai', 'runware'];

const allows = (provider: ProviderName, url: string, policy = DEFAULT) => checkProviderUrl(policy, provider, url).allowed;

function refusalOf(provider: ProviderName, url: string, policy = DEFAULT): HostRefusal {
  const verdict = checkProviderUrl(policy, provider, url);
  if (verdict.allowed) throw new Error(`${url} was allowed`);
  return verdict;
}

describe('by default only the providers’ public HTTPS APIs are allowed', () => {
  it.each([
    ['openai', 'https://api.openai.com/v1'],
    ['openai', 'https://api.openai.com'],
    ['openai', 'https://API.OpenAI.COM/v1'],
    ['openai', 'https://api.openai.com:443/v1'],
    ['openai', 'https://api.openai.com./v1'],
    ['runware', 'https://api.runware.ai/v1'],
    ['runware', 'https://api.runware.ai'],
  ] as const)('%s may call %s', (provider, url) => {
    expect(allows(provider, url)).toBe(true);
  });

  it.each([
    ['openai', 'http://api.openai.com/v1'],
    ['runware', 'http://api.runware.ai/v1'],
    ['openai', 'https://api.openai.com:8443/v1'],
    ['openai', 'https://api.runware.ai/v1'],
    ['runware', 'https://api.openai.com/v1'],
    ['openai', 'https://api.openai.com.attacker.example/v1'],
    ['openai', 'https://attacker.example/api.openai.com/v1'],
    ['openai', 'https://api.openai.com@127.0.0.1/v1'],
    ['openai', 'https://api.openai.com:443@127.0.0.1/'],
    ['openai', 'https://user:secret@api.openai.com/v1'],
    ['openai', 'https://api.openai.com%40127.0.0.1/'],
    ['openai', 'http://127.0.0.1:8089/v1'],
    ['openai', 'http://localhost/v1'],
    ['openai', 'http://localhost./v1'],
    ['openai', 'http://LOCALHOST:8089/v1'],
    ['openai', 'http://169.254.169.254/latest/meta-data/'],
    ['openai', 'http://2130706433/'],
    ['openai', 'http://0x7f.1/'],
    ['openai', 'http://0177.0.0.1/'],
    ['openai', 'http://127.1/'],
    ['openai', 'http://127.0.0.1./'],
    ['openai', 'http://%31%32%37.0.0.1/'],
    ['openai', 'http://0/'],
    ['openai', 'http://0.0.0.0:8080/'],
    ['openai', 'http://[::1]/'],
    ['openai', 'http://[::]/'],
    ['openai', 'http://[::ffff:127.0.0.1]/'],
    ['openai', 'http://[::ffff:a9fe:a9fe]/'],
    ['openai', 'http://[0:0:0:0:0:ffff:7f00:1]/'],
    ['openai', 'http://[fd00::1]/'],
    ['openai', 'http://[fe80::1]/'],
    ['openai', 'http://100.64.0.1/'],
    ['openai', 'http://10.0.0.1/'],
    ['openai', 'http://172.16.0.1/'],
    ['openai', 'http://192.168.1.1/'],
    ['openai', 'https://8.8.8.8/v1'],
    ['runware', 'http://metadata.google.internal/'],
    ['openai', 'file:///etc/passwd'],
    ['openai', 'ftp://api.openai.com/'],
    ['openai', 'not a url'],
    ['openai', ''],
  ] as const)('%s may not call %s', (provider, url) => {
    expect(allows(provider, url)).toBe(false);
  });

  it('names the host and what to list, and what kind of address it is', () => {
    const refusal = refusalOf('openai', 'http://169.254.169.254/latest/meta-data/');
    expect(refusalMessage('openai', 'The OpenAI base URL', refusal)).toBe(
      "The OpenAI base URL points at '169.254.169.254' (a link-local address), which AI calls may not reach: " +
        "by default only https://api.openai.com is allowed. The operator must list '169.254.169.254' in AI_PROVIDER_ALLOWED_HOSTS to allow it.",
    );
    expect(refusalOf('openai', 'http://127.0.0.1:8089/v1')).toMatchObject({ host: '127.0.0.1:8089', detail: ' (a loopback address)' });
    expect(refusalOf('openai', 'http://[::ffff:127.0.0.1]:81/')).toMatchObject({ host: '[::ffff:7f00:1]:81', detail: ' (a loopback address)' });
    expect(refusalOf('runware', 'http://api.runware.ai/v1')).toMatchObject({ host: 'api.runware.ai', detail: ' over plain http' });
    expect(refusalOf('openai', 'https://api.openai.com@127.0.0.1/')).toMatchObject({ reason: 'credentials' });
    expect(refusalOf('openai', 'file:///etc/passwd')).toMatchObject({ reason: 'scheme', detail: 'file' });
  });
});

describe('the operator lists hosts in AI_PROVIDER_ALLOWED_HOSTS', () => {
  it('allows a listed host:port over http or https, and only on that port', () => {
    const policy = providerHostPolicy(['127.0.0.1:8089']);
    expect(allows('openai', 'http://127.0.0.1:8089/v1', policy)).toBe(true);
    expect(allows('runware', 'https://127.0.0.1:8089/v1', policy)).toBe(true);
    // The same host however the URL spells it.
    expect(allows('openai', 'http://2130706433:8089/v1', policy)).toBe(true);
    expect(allows('openai', 'http://0x7f.1:8089/v1', policy)).toBe(true);
    expect(allows('openai', 'http://127.0.0.1:8090/v1', policy)).toBe(false);
    expect(allows('openai', 'http://127.0.0.1/v1', policy)).toBe(false);
    // Another name for the same machine is another host: only what is listed is allowed.
    expect(allows('openai', 'http://localhost:8089/v1', policy)).toBe(false);
    expect(allows('openai', 'http://[::ffff:127.0.0.1]:8089/v1', policy)).toBe(false);
  });

  it('allows every port of a host listed without one', () => {
    const policy = providerHostPolicy(['llm.internal', '10.1.2.3']);
    expect(allows('openai', 'http://llm.internal/v1', policy)).toBe(true);
    expect(allows('openai', 'https://LLM.Internal.:9443/v1', policy)).toBe(true);
    expect(allows('openai', 'http://10.1.2.3:8000/v1', policy)).toBe(true);
    expect(allows('openai', 'http://llm.internal.attacker.example/v1', policy)).toBe(false);
  });

  it('a default port in a listing means that port', () => {
    const policy = providerHostPolicy(['127.0.0.1:80', '[::1]:8080']);
    expect(allows('openai', 'http://127.0.0.1/v1', policy)).toBe(true);
    expect(allows('openai', 'https://127.0.0.1/v1', policy)).toBe(false);
    expect(allows('openai', 'http://[::1]:8080/v1', policy)).toBe(true);
    expect(allows('openai', 'http://[0:0:0:0:0:0:0:1]:8080/v1', policy)).toBe(true);
    expect(allows('openai', 'http://[::1]:8081/v1', policy)).toBe(false);
  });

  it('listing a public API allows plain http to it', () => {
    expect(allows('openai', 'http://api.openai.com/v1', providerHostPolicy(['api.openai.com']))).toBe(true);
  });

  it('still refuses user info and other schemes at a listed host', () => {
    const policy = providerHostPolicy(['127.0.0.1']);
    expect(allows('openai', 'http://user@127.0.0.1/v1', policy)).toBe(false);
    expect(allows('openai', 'ftp://127.0.0.1/v1', policy)).toBe(false);
  });

  it.each(['http://llm.internal', 'llm.internal/v1', 'llm.internal:0', 'llm.internal:70000', '*.internal', '::1', 'user@llm.internal', 'llm internal', ':8080'])(
    'refuses the entry %s at start',
    (entry) => {
      expect(() => providerHostPolicy([entry])).toThrow(`AI_PROVIDER_ALLOWED_HOSTS entry '${entry}' is invalid`);
    },
  );
});

describe('a resolved address is checked before connecting', () => {
  it.each([
    ['api.openai.com', '127.0.0.1', 'a loopback address'],
    ['api.openai.com', '10.0.0.5', 'a private address'],
    ['api.openai.com', '169.254.169.254', 'a link-local address'],
    ['api.openai.com', '100.100.100.200', 'a carrier-grade NAT address'],
    ['api.openai.com', '0.0.0.0', 'an unspecified address'],
    ['api.openai.com', '::1', 'a loopback address'],
    ['api.openai.com', '::ffff:10.0.0.1', 'a private address'],
    ['api.openai.com', '64:ff9b::a9fe:a9fe', 'a link-local address'],
    ['api.openai.com', 'fd12:3456::1', 'a unique local (private) address'],
    ['api.openai.com', 'fe80::1%eth0', 'a link-local address'],
  ])('%s resolving to %s is refused (%s)', (host, address, kind) => {
    expect(checkResolvedAddress(DEFAULT, host, address)).toEqual({
      allowed: false,
      reason: 'resolved-non-public',
      host,
      detail: ` resolved to ${address} (${kind})`,
    });
  });

  it('allows public addresses, and anything for a listed name', () => {
    expect(checkResolvedAddress(DEFAULT, 'api.openai.com', '162.159.140.245').allowed).toBe(true);
    expect(checkResolvedAddress(DEFAULT, 'api.openai.com', '2606:4700::6812:1').allowed).toBe(true);
    expect(checkResolvedAddress(DEFAULT, 'api.openai.com', '::ffff:8.8.8.8').allowed).toBe(true);
    expect(checkResolvedAddress(providerHostPolicy(['llm.internal:8000']), 'LLM.internal.', '10.0.0.5').allowed).toBe(true);
  });
});

// ---- generated inputs ----

/** Non-public IPv4 ranges as [first address, prefix length]. */
const IPV4_NON_PUBLIC: Array<[number, number]> = [
  [ipv4('0.0.0.0'), 8],
  [ipv4('10.0.0.0'), 8],
  [ipv4('100.64.0.0'), 10],
  [ipv4('127.0.0.0'), 8],
  [ipv4('169.254.0.0'), 16],
  [ipv4('172.16.0.0'), 12],
  [ipv4('192.168.0.0'), 16],
  [ipv4('198.18.0.0'), 15],
  [ipv4('224.0.0.0'), 4],
  [ipv4('240.0.0.0'), 4],
];

function ipv4(dotted: string): number {
  return dotted.split('.').reduce((value, part) => value * 256 + Number(part), 0);
}

function dotted(value: number): string {
  return [value >>> 24, (value >>> 16) & 255, (value >>> 8) & 255, value & 255].join('.');
}

const nonPublicIpv4 = fc
  .tuple(fc.constantFrom(...IPV4_NON_PUBLIC), fc.integer({ min: 0, max: 2 ** 32 - 1 }))
  .map(([[first, prefix], random]) => first + (prefix === 32 ? 0 : random % 2 ** (32 - prefix)));

type Radix = 'decimal' | 'octal' | 'hex';
const radix = fc.constantFrom<Radix>('decimal', 'octal', 'hex');

function inRadix(value: number, how: Radix): string {
  if (how === 'hex') return `0x${value.toString(16)}`;
  if (how === 'octal') return `0${value.toString(8)}`;
  return String(value);
}

/** Every way the URL parser reads an IPv4 address: 1 to 4 parts, each in decimal, octal or hex. */
const ipv4Spelling = fc
  .tuple(fc.integer({ min: 1, max: 4 }), fc.array(radix, { minLength: 4, maxLength: 4 }), fc.boolean())
  .map(([parts, radixes, trailingDot]) => (value: number) => {
    const bytes = [value >>> 24, (value >>> 16) & 255, (value >>> 8) & 255, value & 255];
    const head = bytes.slice(0, parts - 1);
    const rest = bytes.slice(parts - 1).reduce((acc, byte) => acc * 256 + byte, 0);
    const spelled = [...head, rest].map((part, i) => inRadix(part, radixes[i])).join('.');
    return trailingDot ? `${spelled}.` : spelled;
  });

const scheme = fc.constantFrom('http', 'https', 'HTTP', 'hTTps');
const port = fc.option(fc.integer({ min: 1, max: 65535 }), { nil: undefined });
const provider = fc.constantFrom(...PROVIDERS);
const path = fc.constantFrom('', '/', '/v1', '/v1/chat/completions', '/latest/meta-data/');

describe('generated: non-public IPv4 addresses in any spelling', () => {
  it('are refused unless listed, whatever the spelling, scheme or port', () => {
    fc.assert(
      fc.property(nonPublicIpv4, ipv4Spelling, scheme, port, provider, path, (address, spell, proto, portNumber, who, rest) => {
        const url = `${proto}://${spell(address)}${portNumber ? `:${portNumber}` : ''}${rest}`;
        // The spelling is an address the URL parser reads as this one.
        expect(new URL(url).hostname).toBe(dotted(address));
        expect(nonPublicAddressKind(new URL(url).hostname)).toBeDefined();
        expect(allows(who, url)).toBe(false);
        expect(allows(who, url, providerHostPolicy(['api.openai.com', 'api.runware.ai', 'llm.internal']))).toBe(false);
      }),
    );
  });

  it('are allowed once the operator lists them, with the port or without', () => {
    fc.assert(
      fc.property(nonPublicIpv4, ipv4Spelling, fc.integer({ min: 1, max: 65535 }), provider, (address, spell, portNumber, who) => {
        const url = `http://${spell(address)}:${portNumber}/v1`;
        expect(allows(who, url, providerHostPolicy([dotted(address)]))).toBe(true);
        expect(allows(who, url, providerHostPolicy([`${dotted(address)}:${portNumber}`]))).toBe(true);
        expect(allows(who, url, providerHostPolicy([`${dotted(address)}:${(portNumber % 65535) + 1}`]))).toBe(false);
      }),
    );
  });
});

/** Non-public IPv6 addresses, each as 8 groups. */
const nonPublicIpv6 = fc.oneof(
  // fc00::/7 unique local
  fc.tuple(fc.integer({ min: 0xfc00, max: 0xfdff }), fc.array(fc.integer({ min: 0, max: 0xffff }), { minLength: 7, maxLength: 7 })).map(([first, rest]) => [first, ...rest]),
  // fe80::/10 link-local
  fc.tuple(fc.integer({ min: 0xfe80, max: 0xfebf }), fc.array(fc.integer({ min: 0, max: 0xffff }), { minLength: 7, maxLength: 7 })).map(([first, rest]) => [first, ...rest]),
  // ::ffff:a.b.c.d and 64:ff9b::a.b.c.d carrying a non-public IPv4 address
  fc.tuple(fc.constantFrom([0, 0, 0, 0, 0, 0xffff], [0x64, 0xff9b, 0, 0, 0, 0]), nonPublicIpv4).map(([head, v4]) => [...head, v4 >>> 16, v4 & 0xffff]),
  fc.constantFrom<number[]>([0, 0, 0, 0, 0, 0, 0, 0], [0, 0, 0, 0, 0, 0, 0, 1]),
);

/** Full or compressed (the longest zero run as `::`), padded or not, lower or upper case, a mapped tail dotted or not. */
const ipv6Spelling = fc.tuple(fc.boolean(), fc.boolean(), fc.boolean(), fc.boolean()).map(([compress, upper, padded, dottedTail]) => (groups: number[]) => {
  const hex = groups.map((g) => (padded ? g.toString(16).padStart(4, '0') : g.toString(16)));
  if (dottedTail && groups.slice(0, 6).join() === '0,0,0,0,0,65535') hex.splice(6, 2, dotted(groups[6] * 65536 + groups[7]));
  let text = hex.join(':');
  if (compress) {
    let best = { start: 0, length: 0 };
    for (let i = 0; i < hex.length; i++) {
      let j = i;
      while (j < hex.length && /^0+$/.test(hex[j])) j++;
      if (j - i > best.length) best = { start: i, length: j - i };
    }
    if (best.length > 0) text = `${hex.slice(0, best.start).join(':')}::${hex.slice(best.start + best.length).join(':')}`;
  }
  return upper ? text.toUpperCase() : text;
});

describe('generated: non-public IPv6 addresses in any spelling', () => {
  it('are non-public as URL hosts and as resolved addresses, and refused unless listed', () => {
    fc.assert(
      fc.property(nonPublicIpv6, ipv6Spelling, scheme, port, provider, (groups, spell, proto, portNumber, who) => {
        const text = spell(groups);
        const url = `${proto}://[${text}]${portNumber ? `:${portNumber}` : ''}/v1`;
        expect(nonPublicAddressKind(text)).toBeDefined();
        expect(nonPublicAddressKind(new URL(url).hostname)).toBeDefined();
        expect(allows(who, url)).toBe(false);
        expect(checkResolvedAddress(DEFAULT, 'api.openai.com', text).allowed).toBe(false);
        expect(allows(who, url, providerHostPolicy([new URL(url).hostname]))).toBe(true);
      }),
    );
  });
});

const hostName = fc.domain().filter((name) => !['api.openai.com', 'api.runware.ai'].includes(name.toLowerCase().replace(/\.$/, '')));

describe('generated: host names', () => {
  it('other hosts are refused by default, allowed once listed, however the URL cases or dots them', () => {
    fc.assert(
      fc.property(hostName, scheme, fc.integer({ min: 1, max: 65535 }), provider, fc.boolean(), fc.boolean(), (name, proto, portNumber, who, upper, dot) => {
        const spelled = `${upper ? name.toUpperCase() : name}${dot ? '.' : ''}`;
        const url = `${proto}://${spelled}:${portNumber}/v1`;
        expect(allows(who, url)).toBe(false);
        expect(allows(who, url, providerHostPolicy([name]))).toBe(true);
        expect(allows(who, url, providerHostPolicy([`${name}:${portNumber}`]))).toBe(true);
        expect(allows(who, url, providerHostPolicy([`${name}:${(portNumber % 65535) + 1}`]))).toBe(false);
        expect(allows(who, url, providerHostPolicy([`x${name}`]))).toBe(false);
      }),
    );
  });

  it('user info never carries a URL past the check, whatever it says', () => {
    fc.assert(
      fc.property(fc.constantFrom('api.openai.com', 'api.runware.ai', 'api.openai.com:443', 'u:p'), fc.oneof(hostName, nonPublicIpv4.map(dotted)), provider, (userinfo, host, who) => {
        expect(allows(who, `https://${userinfo}@${host}/v1`)).toBe(false);
        expect(allows(who, `https://${userinfo}@${host}/v1`, providerHostPolicy([host]))).toBe(false);
      }),
    );
  });

  it('a name that resolves to a non-public address is refused unless the name is listed', () => {
    fc.assert(
      fc.property(hostName, nonPublicIpv4.map(dotted), (name, address) => {
        expect(checkResolvedAddress(DEFAULT, name, address).allowed).toBe(false);
        expect(checkResolvedAddress(providerHostPolicy([name]), name, address).allowed).toBe(true);
      }),
    );
  });
});
