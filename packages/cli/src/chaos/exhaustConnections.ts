import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import pg from 'pg';
import type { ChaosStack } from './chaosStack.ts';
import { outcome, type ChaosOutcome } from './chaosOutcome.ts';
import { chaosLedgerWorkflow } from './chaosWorkflows.ts';

/**
 * Postgres out of connections while `count` runs are in flight: a process of
 * the scenario's own takes every connection the server has free, holds them
 * for `holdMs`, then lets go. Each run calls a ledger over HTTP (loopback) that
 * counts every attempt by its Idempotency-Key; afterwards every run must have
 * ended SUCCESS and no attempt may have been executed more than once — a write
 * Postgres refused must never make a worker run an attempt again.
 *
 * Run it against a server of its own (see embeddedTestDatabase): it starves
 * every client of the server it is given.
 */
export async function exhaustConnectionsMidFlight(stack: ChaosStack, count = 500, holdMs = 10_000): Promise<ChaosOutcome & { readonly duplicates: number }> {
  const started = Date.now();
  const ledger = await startLedger();
  try {
    await stack.define(chaosLedgerWorkflow(ledger.url));
    // The http node refuses loopback unless allowed: the ledger is on it.
    const allow = { FLOWLINE_HTTP_ALLOW: '127.0.0.1' };
    await stack.startWorker(allow);
    await stack.startWorker(allow);
    const runIds = await stack.startRuns('ChaosLedger', count);
    await new Promise((resolve) => setTimeout(resolve, 200));
    const callsBefore = ledger.calls.size;
    const hogs = await takeEveryConnection(stack.database.url);
    await new Promise((resolve) => setTimeout(resolve, holdMs));
    await Promise.all(hogs.map((hog) => hog.end().catch(() => {})));
    const runs = await stack.waitForRuns(runIds, 90_000);
    const succeeded = runs.filter((r) => r.statusName === 'SUCCESS').length;
    const duplicates = [...ledger.calls.values()].filter((n) => n > 1).length;
    const passed = succeeded === count && duplicates === 0;
    return {
      ...outcome(
        `Postgres out of connections for ${holdMs / 1000} s (${hogs.length} taken)`,
        started,
        count,
        succeeded,
        `${succeeded}/${count}, ${ledger.calls.size} attempts executed (${callsBefore} before the server ran out), ${duplicates} more than once`,
        passed,
      ),
      duplicates,
    };
  } finally {
    await ledger.close();
  }
}

/** Opens connections to the server until it refuses one: every free slot is then held here. */
async function takeEveryConnection(url: string): Promise<pg.Client[]> {
  const hogs: pg.Client[] = [];
  for (;;) {
    const hog = new pg.Client({ connectionString: url });
    hog.on('error', () => {});
    try {
      await hog.connect();
      hogs.push(hog);
    } catch {
      return hogs;
    }
  }
}

/** An HTTP server counting the calls of each Idempotency-Key. */
async function startLedger(): Promise<{ url: string; calls: Map<string, number>; close(): Promise<void> }> {
  const calls = new Map<string, number>();
  const server: Server = createServer((request, response) => {
    const key = String(request.headers['idempotency-key'] ?? '');
    calls.set(key, (calls.get(key) ?? 0) + 1);
    request.resume();
    response.end('{"recorded":true}');
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}/ledger`,
    calls,
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}
