import { isIP } from 'node:net';

/**
 * Which IP addresses count as not public: the ranges an AI call may reach only when the operator
 * lists the host (the worker's own machine, its network, the cloud's metadata service). Kept as
 * plain numbers rather than strings so every spelling of an address lands on the same range.
 */

type Range = { network: bigint; prefix: number; kind: string };

const LOOPBACK = 'a loopback address';
const PRIVATE = 'a private address';
const LINK_LOCAL = 'a link-local address';
const RESERVED = 'a reserved address';

const IPV4_RANGES: Range[] = [
  ipv4Range('0.0.0.0', 8, 'an unspecified address'),
  ipv4Range('10.0.0.0', 8, PRIVATE),
  ipv4Range('100.64.0.0', 10, 'a carrier-grade NAT address'),
  ipv4Range('127.0.0.0', 8, LOOPBACK),
  // Includes the cloud metadata service at 169.254.169.254.
  ipv4Range('169.254.0.0', 16, LINK_LOCAL),
  ipv4Range('172.16.0.0', 12, PRIVATE),
  ipv4Range('192.0.0.0', 24, RESERVED),
  ipv4Range('192.0.2.0', 24, RESERVED),
  ipv4Range('192.88.99.0', 24, RESERVED),
  ipv4Range('192.168.0.0', 16, PRIVATE),
  ipv4Range('198.18.0.0', 15, RESERVED),
  ipv4Range('198.51.100.0', 24, RESERVED),
  ipv4Range('203.0.113.0', 24, RESERVED),
  ipv4Range('224.0.0.0', 4, 'a multicast address'),
  // Reserved for future use, and the broadcast address.
  ipv4Range('240.0.0.0', 4, RESERVED),
];

// Ranges that carry an IPv4 address in their last 32 bits: judged by that address.
const IPV4_MAPPED = ipv6Range('::ffff:0:0', 96, '');
const NAT64 = ipv6Range('64:ff9b::', 96, '');

const IPV6_RANGES: Range[] = [
  ipv6Range('::', 128, 'an unspecified address'),
  ipv6Range('::1', 128, LOOPBACK),
  // IPv4-compatible addresses (deprecated): nothing public lives there.
  ipv6Range('::', 96, RESERVED),
  ipv6Range('64:ff9b:1::', 48, PRIVATE),
  ipv6Range('100::', 64, RESERVED),
  // IETF protocol assignments, Teredo and benchmarking among them.
  ipv6Range('2001::', 23, RESERVED),
  ipv6Range('2001:db8::', 32, RESERVED),
  // 6to4 (deprecated) tunnels to any IPv4 address, private ones included.
  ipv6Range('2002::', 16, RESERVED),
  ipv6Range('3fff::', 20, RESERVED),
  ipv6Range('fc00::', 7, 'a unique local (private) address'),
  ipv6Range('fe80::', 10, LINK_LOCAL),
  ipv6Range('fec0::', 10, 'a site-local address'),
  ipv6Range('ff00::', 8, 'a multicast address'),
];

/**
 * What kind of non-public address `address` is ('a loopback address', …), or undefined when it is
 * public. Accepts IPv4 and IPv6 text (with or without brackets or a zone); anything else is not
 * an address and gives undefined.
 */
export function nonPublicAddressKind(address: string): string | undefined {
  const text = address.replace(/^\[(.*)\]$/, '$1').replace(/%.*$/, '');
  const family = isIP(text);
  if (family === 4) return kindOf(ipv4Value(text), 32, IPV4_RANGES);
  if (family !== 6) return undefined;
  const value = ipv6Value(text);
  if (inRange(value, 128, IPV4_MAPPED) || inRange(value, 128, NAT64)) {
    return kindOf(value & 0xffff_ffffn, 32, IPV4_RANGES);
  }
  return kindOf(value, 128, IPV6_RANGES);
}

/** Whether `host` is an IP address literal (either family, brackets allowed) rather than a name. */
export function isAddressLiteral(host: string): boolean {
  return isIP(host.replace(/^\[(.*)\]$/, '$1').replace(/%.*$/, '')) !== 0;
}

function kindOf(value: bigint, bits: number, ranges: Range[]): string | undefined {
  return ranges.find((range) => inRange(value, bits, range))?.kind;
}

function inRange(value: bigint, bits: number, range: Range): boolean {
  const shift = BigInt(bits - range.prefix);
  return value >> shift === range.network >> shift;
}

function ipv4Range(network: string, prefix: number, kind: string): Range {
  return { network: ipv4Value(network), prefix, kind };
}

function ipv6Range(network: string, prefix: number, kind: string): Range {
  return { network: ipv6Value(network), prefix, kind };
}

function ipv4Value(text: string): bigint {
  return text.split('.').reduce((value, part) => (value << 8n) | BigInt(Number(part)), 0n);
}

/** A valid IPv6 text (as net.isIP accepts it, a trailing dotted IPv4 included) as a 128-bit number. */
function ipv6Value(text: string): bigint {
  const groupsOf = (part: string): string[] => {
    if (part === '') return [];
    const groups = part.split(':');
    const last = groups[groups.length - 1];
    if (last.includes('.')) {
      const v4 = ipv4Value(last);
      groups.splice(-1, 1, (v4 >> 16n).toString(16), (v4 & 0xffffn).toString(16));
    }
    return groups;
  };
  const [head, tail] = text.split('::');
  const left = groupsOf(head);
  const right = tail === undefined ? [] : groupsOf(tail);
  const groups = [...left, ...Array<string>(8 - left.length - right.length).fill('0'), ...right];
  return groups.reduce((value, group) => (value << 16n) | BigInt(parseInt(group, 16)), 0n);
}
