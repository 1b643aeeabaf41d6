import { BlockList } from 'node:net';
import { embeddedIpv4, ipFamily } from './ipAddress.ts';

/**
 * Address ranges the `http` node never reaches unless FLOWLINE_HTTP_ALLOW
 * names them: whatever is not the public internet. A workflow author is not
 * trusted with the network the worker sits in — its loopback (flowline's own
 * API and /metrics, Postgres, Redis), the private ranges of its VPC, and the
 * cloud metadata services that hand out the host's credentials.
 */
const DENIED_RANGES: readonly (readonly [cidr: string, what: string])[] = [
  ['0.0.0.0/8', 'the "this host" range'],
  ['10.0.0.0/8', 'a private address'],
  ['100.64.0.0/10', 'a shared (carrier-grade NAT) address, where some clouds keep their metadata service'],
  ['127.0.0.0/8', 'a loopback address'],
  ['169.254.0.0/16', 'a link-local address (the cloud metadata service is 169.254.169.254)'],
  ['172.16.0.0/12', 'a private address'],
  ['192.0.0.0/24', 'an IETF protocol address'],
  ['192.168.0.0/16', 'a private address'],
  ['198.18.0.0/15', 'a benchmarking address'],
  ['224.0.0.0/4', 'a multicast address'],
  ['240.0.0.0/4', 'a reserved address'],
  ['::/127', 'the unspecified or loopback address'],
  ['::/96', 'an IPv4-compatible address'],
  ['100::/64', 'a discard address'],
  ['fc00::/7', 'a unique-local address (AWS serves metadata on fd00:ec2::254)'],
  ['fe80::/10', 'a link-local address'],
  ['fec0::/10', 'a site-local address'],
  ['ff00::/8', 'a multicast address'],
];

/** Why a target was refused; the node fails with this message. */
export class EgressDenied extends Error {
  constructor(readonly target: string, reason: string) {
    super(`egress to ${target} denied: ${reason}`);
    this.name = 'EgressDenied';
  }
}

/** One entry of FLOWLINE_HTTP_ALLOW / _DENY: an address, a CIDR, or a host pattern. */
type Entry = { readonly kind: 'cidr'; readonly text: string } | { readonly kind: 'host'; readonly pattern: string };

const HOST_PATTERN = /^(\*|(\*\.)?[a-z0-9_]([a-z0-9_-]*[a-z0-9_])?(\.[a-z0-9_]([a-z0-9_-]*[a-z0-9_])?)*)$/;

/** Parses one entry; throws a readable error on one that is none of the three forms. */
function parseEntry(raw: string): Entry {
  const text = raw.trim().toLowerCase().replace(/\.$/, '');
  const [address = '', bits] = text.split('/');
  const family = ipFamily(address);
  if (family !== undefined) {
    const max = family === 4 ? 32 : 128;
    const prefix = bits === undefined ? max : /^\d{1,3}$/.test(bits) ? Number(bits) : NaN;
    if (!(prefix >= 0 && prefix <= max)) throw new Error(`${JSON.stringify(raw)}: the prefix length must be 0–${max}`);
    return { kind: 'cidr', text: `${address}/${prefix}` };
  }
  if (bits === undefined && HOST_PATTERN.test(text)) return { kind: 'host', pattern: text };
  throw new Error(`${JSON.stringify(raw)} is neither an address, a CIDR nor a host pattern (example.com, *.example.com, *)`);
}

/** Parses a comma-separated list of entries (the form both variables take). */
function parseEntries(list: string | undefined): Entry[] {
  return (list ?? '').split(',').filter((e) => e.trim() !== '').map(parseEntry);
}

/** Checks a FLOWLINE_HTTP_ALLOW / _DENY value; the config parser reports the message. */
export function egressListProblem(list: string): string | undefined {
  try {
    parseEntries(list);
    return undefined;
  } catch (error) {
    return (error as Error).message;
  }
}

function blockListOf(entries: readonly Entry[]): BlockList {
  const list = new BlockList();
  for (const entry of entries) {
    if (entry.kind !== 'cidr') continue;
    const [address, prefix] = entry.text.split('/') as [string, string];
    list.addSubnet(address, Number(prefix), ipFamily(address) === 4 ? 'ipv4' : 'ipv6');
  }
  return list;
}

function matchesHost(entries: readonly Entry[], host: string): boolean {
  return entries.some(
    (e) => e.kind === 'host' && (e.pattern === '*' || e.pattern === host || (e.pattern.startsWith('*.') && host.endsWith(e.pattern.slice(1)))),
  );
}

const DENIED = DENIED_RANGES.map(([cidr, what]) => ({ list: blockListOf([parseEntry(cidr)]), what }));

/**
 * Where the `http` node may send requests. Per host and per address it
 * resolves to, the first rule that matches decides:
 *
 * 1. an address in a FLOWLINE_HTTP_ALLOW CIDR, or a host matching one of its
 *    host patterns → allowed;
 * 2. an address in a FLOWLINE_HTTP_DENY CIDR, or a host matching one of its
 *    patterns → denied;
 * 3. an address in a range above (loopback, private, link-local, metadata…),
 *    or carrying one inside it (`::ffff:127.0.0.1`) → denied;
 * 4. anything else (the public internet) → allowed.
 *
 * So ALLOW opens holes in everything else, and `DENY=*` with an ALLOW list
 * turns the policy into an allow-list. Checked on the resolved addresses (a
 * name that resolves inward is refused) and again on every redirect.
 */
export class EgressPolicy {
  private readonly allowAddresses: BlockList;
  private readonly denyAddresses: BlockList;

  private constructor(
    private readonly allow: readonly Entry[],
    private readonly deny: readonly Entry[],
  ) {
    this.allowAddresses = blockListOf(allow);
    this.denyAddresses = blockListOf(deny);
  }

  /** The policy of FLOWLINE_HTTP_ALLOW and FLOWLINE_HTTP_DENY (comma-separated entries; unset: the defaults alone). */
  static of(allow?: string, deny?: string): EgressPolicy {
    return new EgressPolicy(parseEntries(allow), parseEntries(deny));
  }

  /**
   * Throws EgressDenied unless `host` (a URL's hostname, lower-case, IPv6
   * without brackets) may be reached at `address`, one of its resolved addresses.
   */
  check(host: string, address: string): void {
    const target = host === address ? address : `${host} (${address})`;
    const reason = this.refusal(host.replace(/\.$/, ''), address.replace(/%.*$/, ''));
    if (reason !== undefined) throw new EgressDenied(target, reason);
  }

  private refusal(host: string, address: string): string | undefined {
    const family = ipFamily(address) === 4 ? 'ipv4' : 'ipv6';
    if (this.allowAddresses.check(address, family) || matchesHost(this.allow, host)) return undefined;
    if (this.denyAddresses.check(address, family) || matchesHost(this.deny, host)) return 'FLOWLINE_HTTP_DENY names it';
    const denied = DENIED.find((range) => range.list.check(address, family));
    if (denied) return `${address} is ${denied.what}; name it in FLOWLINE_HTTP_ALLOW to permit it`;
    const inner = embeddedIpv4(address);
    return inner === undefined ? undefined : this.refusal(host, inner);
  }
}
