#!/usr/bin/env node
import { readdirSync } from 'node:fs';
import { embeddedTestDatabase, ensureTemplate } from '@flowline/engine/testing';
import { startChaosStack, type ChaosStack, type ChaosTiming } from './chaosStack.ts';
import type { ChaosOutcome } from './chaosOutcome.ts';
import { flushRedisMidFlight } from './flushRedis.ts';
import { fuzzEveryRoute } from './fuzzRoutes.ts';
import { exhaustConnectionsMidFlight } from './exhaustConnections.ts';
import { killWorkerMidNode } from './killWorker.ts';
import { recoverFromWorkerKill } from './recoveryTime.ts';
import { restartPostgresMidFlight, type PostgresCluster } from './restartPostgres.ts';

/**
 * `pnpm chaos`: breaks a real stack (worker processes, the local Postgres and
 * Redis) in the ways issues 8 and 20 name and prints whether every run
 * recovered, then fuzzes every HTTP route for 5xx answers. Worker crashes run
 * at flowline's default settings; the Redis flush and the Postgres restart
 * with short leases and passes, so they take seconds. The connection
 * exhaustion runs on a Postgres server of its own, which it starves.
 * Exit code 1 if any scenario failed.
 */
const FAST = { leaseMs: 2000, reconcileMs: 300 };

/** The local Debian-style cluster, from /etc/postgresql/<version>/<name>; absent → the restart scenario is skipped. */
function localCluster(): PostgresCluster | undefined {
  try {
    const version = readdirSync('/etc/postgresql').sort().at(-1);
    const name = version && readdirSync(`/etc/postgresql/${version}`).sort()[0];
    return version && name ? { version, name } : undefined;
  } catch {
    return undefined;
  }
}

async function scenario(run: (stack: ChaosStack) => Promise<ChaosOutcome>, timing: ChaosTiming = FAST): Promise<ChaosOutcome> {
  const stack = await startChaosStack(timing);
  try {
    return await run(stack);
  } finally {
    await stack.close();
  }
}

/** The connection exhaustion, on a server of its own with a small max_connections. */
async function exhaustion(): Promise<ChaosOutcome> {
  const database = await embeddedTestDatabase(['-c', 'max_connections=60']);
  const stack = await startChaosStack({}, database);
  try {
    return await exhaustConnectionsMidFlight(stack, 500, 10_000);
  } finally {
    await stack.close();
  }
}

function table(outcomes: readonly ChaosOutcome[]): string {
  const rows = [
    ['scenario', 'runs', 'succeeded', 'seconds', 'result'],
    ...outcomes.map((o) => [o.scenario, String(o.runs), String(o.succeeded), o.seconds.toFixed(1), `${o.passed ? 'PASS' : 'FAIL'} ${o.verdict}`]),
  ];
  const widths = rows[0]!.map((_, i) => Math.max(...rows.map((r) => r[i]!.length)));
  const line = (r: string[]) => `| ${r.map((cell, i) => cell.padEnd(widths[i]!)).join(' | ')} |`;
  return [line(rows[0]!), `|${widths.map((w) => '-'.repeat(w + 2)).join('|')}|`, ...rows.slice(1).map(line)].join('\n');
}

async function main(): Promise<void> {
  await ensureTemplate();
  const outcomes: ChaosOutcome[] = [];
  const report = (o: ChaosOutcome) => {
    outcomes.push(o);
    console.error(`${o.passed ? 'PASS' : 'FAIL'} ${o.scenario}: ${o.verdict} (${o.seconds}s)`);
  };
  report(await scenario(killWorkerMidNode, {}));
  report(await scenario((stack) => recoverFromWorkerKill(stack, 50), {}));
  report(await exhaustion());
  report(await scenario((stack) => flushRedisMidFlight(stack, 100)));
  const cluster = localCluster();
  if (cluster) report(await scenario((stack) => restartPostgresMidFlight(stack, cluster, 100)));
  else console.error('no local Postgres cluster under /etc/postgresql: restart scenario skipped');
  report(await scenario((stack) => fuzzEveryRoute(stack, 10_000)));
  console.log(table(outcomes));
  process.exitCode = outcomes.every((o) => o.passed) ? 0 : 1;
}

main().catch((error: unknown) => {
  console.error(`chaos: ${error instanceof Error ? error.stack : String(error)}`);
  process.exit(1);
});
