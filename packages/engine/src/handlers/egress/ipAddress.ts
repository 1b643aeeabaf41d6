import { isIPv4, isIPv6 } from 'node:net';

/** The 16 bytes of an IPv6 address in text form (`::1`, `::ffff:1.2.3.4`, `fe80::1%eth0`); undefined when it is not one. */
export function ipv6Bytes(text: string): Uint8Array | undefined {
  let address = text.replace(/%.*$/, '');
  if (!isIPv6(address)) return undefined;
  // A dotted IPv4 tail is the last two words.
  address = address.replace(/(\d+)\.(\d+)\.(\d+)\.(\d+)$/, (_m, a: string, b: string, c: string, d: string) =>
    `${((Number(a) << 8) | Number(b)).toString(16)}:${((Number(c) << 8) | Number(d)).toString(16)}`,
  );
  const [left = '', right] = address.split('::') as [string, string | undefined];
  const parse = (part: string) => (part === '' ? [] : part.split(':').map((w) => parseInt(w, 16)));
  const leftWords = parse(left);
  const rightWords = right === undefined ? [] : parse(right);
  const gap = right === undefined ? 0 : 8 - leftWords.length - rightWords.length;
  const words = [...leftWords, ...Array<number>(Math.max(0, gap)).fill(0), ...rightWords];
  if (words.length !== 8) return undefined;
  const bytes = new Uint8Array(16);
  words.forEach((word, i) => {
    bytes[2 * i] = word >> 8;
    bytes[2 * i + 1] = word & 0xff;
  });
  return bytes;
}

const dottedQuad = (bytes: Uint8Array, at: number) => `${bytes[at]}.${bytes[at + 1]}.${bytes[at + 2]}.${bytes[at + 3]}`;
const startsWith = (bytes: Uint8Array, prefix: readonly number[]) => prefix.every((b, i) => bytes[i] === b);

/**
 * The IPv4 address an IPv6 address carries to the IPv4 network: mapped
 * (`::ffff:a.b.c.d`), NAT64 (`64:ff9b::a.b.c.d`) and 6to4 (`2002:AABB:CCDD::`).
 * An egress check must judge that address too, or `::ffff:127.0.0.1` is
 * loopback under another name.
 */
export function embeddedIpv4(address: string): string | undefined {
  if (isIPv4(address)) return undefined;
  const bytes = ipv6Bytes(address);
  if (!bytes) return undefined;
  if (startsWith(bytes, [0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff])) return dottedQuad(bytes, 12);
  if (startsWith(bytes, [0, 0x64, 0xff, 0x9b, 0, 0, 0, 0, 0, 0, 0, 0])) return dottedQuad(bytes, 12);
  if (startsWith(bytes, [0x20, 0x02])) return dottedQuad(bytes, 2);
  return undefined;
}

/** `4` or `6` for an address literal, undefined for anything else (a host name). */
export function ipFamily(text: string): 4 | 6 | undefined {
  if (isIPv4(text)) return 4;
  return isIPv6(text.replace(/%.*$/, '')) ? 6 : undefined;
}
