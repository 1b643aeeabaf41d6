import net from 'node:net';

/**
 * Tests send traffic to loopback only. `guardLoopbackOnly()` makes that a
 * property of the test process rather than a promise: every TCP connect this
 * process starts to an address outside 127.0.0.0/8 and ::1 (or a name other
 * than `localhost`) is refused before any packet leaves — it throws, and is
 * recorded in `refused` — so a test of the egress policy proves a denied
 * target was never reached even if the policy under test were broken.
 */
export interface LoopbackGuard {
  /** the non-loopback destinations a connect was refused for, as `host:port` */
  readonly refused: string[];
  restore(): void;
}

function isLoopback(host: string): boolean {
  const bare = host.replace(/^\[|\]$/g, '').replace(/^::ffff:/i, '');
  if (bare === 'localhost' || bare === '::1') return true;
  return net.isIPv4(bare) && bare.startsWith('127.');
}

/** Installs the guard on `net.Socket.prototype.connect` for this process (a vitest file's worker); `restore()` takes it off. */
export function guardLoopbackOnly(): LoopbackGuard {
  const original = net.Socket.prototype.connect;
  const refused: string[] = [];
  // Socket#connect takes (options[, cb]), (port[, host][, cb]), (path[, cb]), or net.connect's normalized [options, cb] array.
  net.Socket.prototype.connect = function guardedConnect(this: net.Socket, ...args: unknown[]) {
    const first = Array.isArray(args[0]) ? (args[0] as unknown[])[0] : args[0];
    const options = typeof first === 'object' && first !== null ? (first as { host?: string; port?: number; path?: string }) : undefined;
    const host = options ? options.host : typeof args[1] === 'string' ? args[1] : undefined;
    const port = options ? options.port : first;
    if (options?.path === undefined && typeof first !== 'string' && !isLoopback(host ?? 'localhost')) {
      refused.push(`${host}:${String(port)}`);
      throw new Error(`test guard: connect to ${host}:${String(port)} refused, tests send only to loopback`);
    }
    return (original as (...a: unknown[]) => net.Socket).apply(this, args);
  } as typeof original;
  return { refused, restore: () => void (net.Socket.prototype.connect = original) };
}
