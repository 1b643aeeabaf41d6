import dns from 'node:dns';
import { lookup as importedLookup } from 'node:dns/promises';
import net from 'node:net';
import { describe, expect, it } from 'vitest';
import { loadConfig } from '../src/config.ts';
import { EgressDenied, EgressPolicy } from '../src/handlers/egress/egressPolicy.ts';
import { systemResolver, vetTarget, type HostResolver } from '../src/handlers/egress/egressRequest.ts';
import { guardLoopbackOnly } from '../src/testing/loopbackOnly.ts';
import { embeddedIpv4, ipv6Bytes } from '../src/handlers/egress/ipAddress.ts';

/**
 * Issue 21, finding 5: the http node reached any host. These tests judge
 * addresses and stubbed DNS answers only: nothing here opens a connection, so
 * no packet leaves for the private, link-local or metadata ranges they name.
 */
const defaults = EgressPolicy.of();
const denied = (policy: EgressPolicy, host: string, address = host) => {
  try {
    policy.check(host, address);
    return undefined;
  } catch (error) {
    expect(error).toBeInstanceOf(EgressDenied);
    return (error as Error).message;
  }
};

/** A resolver answering from a table, as DNS would; an unknown name resolves to nothing. */
const stubResolver =
  (table: Record<string, string[]>): HostResolver =>
  async (host) =>
    (table[host] ?? []).map((address) => ({ address, family: address.includes(':') ? 6 : 4 }));

describe('the default egress policy', () => {
  it.each([
    ['127.0.0.1', 'loopback'],
    ['127.255.0.9', 'loopback'],
    ['0.0.0.0', '"this host"'],
    ['10.1.2.3', 'private'],
    ['172.16.0.1', 'private'],
    ['172.31.255.254', 'private'],
    ['192.168.1.1', 'private'],
    ['169.254.169.254', 'metadata'],
    ['169.254.0.1', 'link-local'],
    ['100.100.100.200', 'metadata'],
    ['224.0.0.1', 'multicast'],
    ['255.255.255.255', 'reserved'],
    ['::1', 'loopback'],
    ['::', 'unspecified'],
    ['fe80::1', 'link-local'],
    ['fd00:ec2::254', 'metadata'],
    ['fc00::5', 'unique-local'],
    ['ff02::1', 'multicast'],
    ['::ffff:127.0.0.1', 'loopback'],
    ['::ffff:7f00:1', 'loopback'],
    ['::ffff:169.254.169.254', 'link-local'],
    ['64:ff9b::a9fe:a9fe', 'link-local'],
    ['2002:a9fe:a9fe::1', 'link-local'],
    ['2002:0a00:0001::', 'private'],
  ])('denies %s (%s)', (address, what) => {
    expect(denied(defaults, address), address).toMatch(new RegExp(what.replace(/"/g, '.')));
  });

  it.each(['93.184.216.34', '8.8.8.8', '172.32.0.1', '192.169.0.1', '2606:4700:4700::1111', '64:ff9b::808:808'])('allows the public address %s', (address) => {
    expect(denied(defaults, address)).toBeUndefined();
  });

  it('reads the IPv4 inside mapped, NAT64 and 6to4 addresses', () => {
    expect(embeddedIpv4('::ffff:10.0.0.1')).toBe('10.0.0.1');
    expect(embeddedIpv4('64:ff9b::10.0.0.1')).toBe('10.0.0.1');
    expect(embeddedIpv4('2002:c0a8:0101::1')).toBe('192.168.1.1');
    expect(embeddedIpv4('2606:4700::1')).toBeUndefined();
    expect(Buffer.from(ipv6Bytes('1::2:3')!).toString('hex')).toBe('00010000000000000000000000020003');
  });
});

describe('FLOWLINE_HTTP_ALLOW and FLOWLINE_HTTP_DENY', () => {
  it('opens an address, a CIDR or a host the defaults deny', () => {
    const policy = EgressPolicy.of('127.0.0.1, 10.20.0.0/16, billing.internal');
    expect(denied(policy, '127.0.0.1')).toBeUndefined();
    expect(denied(policy, '::ffff:127.0.0.1')).toBeUndefined();
    expect(denied(policy, '127.0.0.2')).toMatch(/loopback/);
    expect(denied(policy, '10.20.3.4')).toBeUndefined();
    expect(denied(policy, '10.21.0.1')).toMatch(/private/);
    expect(denied(policy, 'billing.internal', '10.99.0.1')).toBeUndefined();
    expect(denied(policy, 'other.internal', '10.99.0.1')).toMatch(/private/);
  });

  it('denies hosts and ranges on top of the defaults, and DENY=* with an ALLOW list allows only that list', () => {
    const deny = EgressPolicy.of(undefined, '*.example.com, 8.8.8.0/24');
    expect(denied(deny, 'api.example.com', '93.184.216.34')).toMatch(/FLOWLINE_HTTP_DENY/);
    expect(denied(deny, 'example.org', '93.184.216.34')).toBeUndefined();
    expect(denied(deny, '8.8.8.8')).toMatch(/FLOWLINE_HTTP_DENY/);
    const only = EgressPolicy.of('api.partner.com', '*');
    expect(denied(only, 'api.partner.com', '93.184.216.34')).toBeUndefined();
    expect(denied(only, 'www.partner.com', '93.184.216.34')).toMatch(/FLOWLINE_HTTP_DENY/);
    expect(denied(only, '93.184.216.34')).toMatch(/FLOWLINE_HTTP_DENY/);
  });

  it('refuses a malformed entry when the configuration is read', () => {
    expect(() => loadConfig({ FLOWLINE_HTTP_ALLOW: '10.0.0.0/33' })).toThrow(/FLOWLINE_HTTP_ALLOW: "10.0.0.0\/33": the prefix length must be 0–32/);
    expect(() => loadConfig({ FLOWLINE_HTTP_DENY: 'http://x' })).toThrow(/FLOWLINE_HTTP_DENY/);
    expect(loadConfig({ FLOWLINE_HTTP_ALLOW: '127.0.0.1,*.svc.cluster.local', FLOWLINE_HTTP_DENY: '*' }).http.egress).toBeInstanceOf(EgressPolicy);
  });
});

describe('checking a URL after DNS resolution (stub resolver)', () => {
  const resolver = stubResolver({
    'metadata.attacker.example': ['169.254.169.254'],
    'rebind.attacker.example': ['93.184.216.34', '10.0.0.7'],
    'v6.attacker.example': ['fd00:ec2::254'],
    'public.example': ['93.184.216.34'],
  });
  const vet = (url: string, policy = defaults) => vetTarget(new URL(url), policy, resolver);

  it('denies a name that resolves to a metadata, link-local or private address, or to one among public ones', async () => {
    await expect(vet('http://metadata.attacker.example/latest/meta-data/')).rejects.toThrow(/169\.254\.169\.254 is a link-local address/);
    await expect(vet('https://rebind.attacker.example/')).rejects.toThrow(/10\.0\.0\.7 is a private address/);
    await expect(vet('http://v6.attacker.example/')).rejects.toThrow(/unique-local/);
    await expect(vet('http://nowhere.example/')).rejects.toThrow(/resolves to no address/);
  });

  it('answers the address it checked, for the connection to use', async () => {
    await expect(vet('https://public.example/x')).resolves.toEqual({ address: '93.184.216.34', family: 4 });
  });

  it('denies every spelling of loopback the URL parser accepts, and non-http schemes', async () => {
    // Vetting opens no connection: with every connect outside loopback refused before sending, none is even attempted.
    const guard = guardLoopbackOnly();
    try {
      for (const url of ['http://0/', 'http://2130706433/', 'http://0x7f.1/', 'http://127.1/', 'http://[::ffff:127.0.0.1]/', 'http://[::1]/', 'http://169.254.169.254/']) {
        await expect(vet(url), url).rejects.toThrow(EgressDenied);
      }
    } finally {
      guard.restore();
    }
    expect(guard.refused).toEqual([]);
    await expect(vet('file:///etc/passwd')).rejects.toThrow(/only http and https/);
  });
});

describe('the loopback-only guard of the tests', () => {
  it('refuses a connect outside loopback before sending, and lets loopback through', () => {
    const guard = guardLoopbackOnly();
    try {
      expect(() => net.connect({ host: '169.254.169.254', port: 80 })).toThrow(/tests send only to loopback/);
      expect(() => net.connect(80, '10.0.0.1')).toThrow(/tests send only to loopback/);
      const local = net.connect({ host: '127.0.0.1', port: 9 }).on('error', () => {});
      local.destroy();
    } finally {
      guard.restore();
    }
    expect(guard.refused).toEqual(['169.254.169.254:80', '10.0.0.1:80']);
  });

  it('refuses a DNS lookup of any name but localhost before a query leaves (the nameserver is no loopback address)', async () => {
    const guard = guardLoopbackOnly();
    try {
      expect(() => dns.lookup('metadata.attacker.example', () => {})).toThrow(/tests send only to loopback/);
      await expect(dns.promises.lookup('rebind.attacker.example')).rejects.toThrow(/tests send only to loopback/);
      // An ES module import of the lookup, as the egress code holds one, is guarded as well.
      await expect(importedLookup('v6.attacker.example')).rejects.toThrow(/tests send only to loopback/);
      // An address outside loopback is refused as a connect would be; localhost and loopback literals go through.
      await expect(dns.promises.lookup('169.254.169.254')).rejects.toThrow(/tests send only to loopback/);
      await expect(dns.promises.lookup('localhost')).resolves.toBeDefined();
      await expect(dns.promises.lookup('127.0.0.1')).resolves.toEqual({ address: '127.0.0.1', family: 4 });
    } finally {
      guard.restore();
    }
    expect(guard.refused).toEqual(['dns:metadata.attacker.example', 'dns:rebind.attacker.example', 'dns:v6.attacker.example', 'dns:169.254.169.254']);
  });

  it("so the egress policy's own resolver, under the guard, sends no query for a name: the lookup is refused, not answered", async () => {
    const guard = guardLoopbackOnly();
    try {
      await expect(vetTarget(new URL('http://metadata.attacker.example/latest/meta-data/'), defaults, systemResolver)).rejects.toThrow(/tests send only to loopback/);
    } finally {
      guard.restore();
    }
    expect(guard.refused).toEqual(['dns:metadata.attacker.example']);
  });
});
