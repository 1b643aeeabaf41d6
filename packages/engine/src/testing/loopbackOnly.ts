import dns from 'node:dns';
import { syncBuiltinESMExports } from 'node:module';
import net from 'node:net';

/**
 * Tests send traffic to loopback only. `guardLoopbackOnly()` makes that a
 * property of the test process rather than a promise: every TCP connect this
 * process starts to an address outside 127.0.0.0/8 and ::1 (or a name other
 * than `localhost`), and every DNS lookup of a name other than `localhost`
 * (a query to the system's nameserver, which is no loopback address), is
 * refused before any packet leaves — it throws, and is recorded in `refused`
 * — so a test of the egress policy proves a denied target was never reached,
 * nor even looked up, even if the policy under test were broken.
 */
export interface LoopbackGuard {
  /** what was refused: a connect's `host:port`, a lookup's `dns:<name>` */
  readonly refused: string[];
  restore(): void;
}

function isLoopback(host: string): boolean {
  const bare = host.replace(/^\[|\]$/g, '').replace(/^::ffff:/i, '');
  if (bare === 'localhost' || bare === '::1') return true;
  return net.isIPv4(bare) && bare.startsWith('127.');
}

/** Whether looking `host` up sends a query: any name but `localhost` (an address literal is answered without one, but is checked as an address). */
function lookupLeaves(host: string): boolean {
  return net.isIP(host.replace(/^\[|\]$/g, '')) === 0 ? host !== 'localhost' : !isLoopback(host);
}

/**
 * Installs the guard for this process (a vitest file's worker) on
 * `net.Socket.prototype.connect` and on `dns.lookup` and `dns.promises.lookup`
 * (ES module imports of them included); `restore()` takes it off.
 */
export function guardLoopbackOnly(): LoopbackGuard {
  const original = { connect: net.Socket.prototype.connect, lookup: dns.lookup, lookupPromise: dns.promises.lookup };
  const refused: string[] = [];
  const refuse = (what: string, description: string) => {
    refused.push(what);
    return new Error(`test guard: ${description} refused, tests send only to loopback`);
  };
  // Socket#connect takes (options[, cb]), (port[, host][, cb]), (path[, cb]), or net.connect's normalized [options, cb] array.
  net.Socket.prototype.connect = function guardedConnect(this: net.Socket, ...args: unknown[]) {
    const first = Array.isArray(args[0]) ? (args[0] as unknown[])[0] : args[0];
    const options = typeof first === 'object' && first !== null ? (first as { host?: string; port?: number; path?: string }) : undefined;
    const host = options ? options.host : typeof args[1] === 'string' ? args[1] : undefined;
    const port = options ? options.port : first;
    if (options?.path === undefined && typeof first !== 'string' && !isLoopback(host ?? 'localhost')) throw refuse(`${host}:${String(port)}`, `connect to ${host}:${String(port)}`);
    return (original.connect as (...a: unknown[]) => net.Socket).apply(this, args);
  } as typeof original.connect;
  dns.lookup = function guardedLookup(host: string, ...rest: unknown[]) {
    if (lookupLeaves(host)) throw refuse(`dns:${host}`, `DNS lookup of ${host}`);
    return (original.lookup as (...a: unknown[]) => void).call(dns, host, ...rest);
  } as typeof dns.lookup;
  dns.promises.lookup = async function guardedLookupPromise(host: string, ...rest: unknown[]) {
    if (lookupLeaves(host)) throw refuse(`dns:${host}`, `DNS lookup of ${host}`);
    return (original.lookupPromise as (...a: unknown[]) => Promise<unknown>).call(dns.promises, host, ...rest);
  } as typeof dns.promises.lookup;
  // `import { lookup } from 'node:dns/promises'` holds a binding of its own: synced with the module objects now, and again on restore.
  syncBuiltinESMExports();
  return {
    refused,
    restore: () => {
      net.Socket.prototype.connect = original.connect;
      dns.lookup = original.lookup;
      dns.promises.lookup = original.lookupPromise;
      syncBuiltinESMExports();
    },
  };
}
