import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import type { ChaosStack } from './chaosStack.ts';
import { outcome, type ChaosOutcome } from './chaosOutcome.ts';
import { ChaosChain } from './chaosWorkflows.ts';

/** A local Debian-style Postgres cluster (`ls /etc/postgresql/<version>/<name>`). */
export interface PostgresCluster {
  readonly version: string;
  readonly name: string;
}

/**
 * Restarts the Postgres server while `count` acknowledged runs are in flight:
 * every one must still finish, and the worker must reconnect rather than die.
 * Restarts the whole local cluster, so it belongs in `pnpm chaos`, never in
 * the test suite (other tests share that server).
 */
export async function restartPostgresMidFlight(stack: ChaosStack, cluster: PostgresCluster, count = 100): Promise<ChaosOutcome> {
  await stack.define(ChaosChain);
  const worker = await stack.startWorker();
  const started = Date.now();
  const runIds = await stack.startRuns(ChaosChain.name, count);
  await new Promise((r) => setTimeout(r, 400));
  await promisify(execFile)('pg_ctlcluster', ['--skip-systemctl-redirect', cluster.version, cluster.name, 'restart']);
  const runs = await stack.waitForRuns(runIds, 90_000);
  const succeeded = runs.filter((r) => r.statusName === 'SUCCESS').length;
  const workerAlive = (await Promise.race([worker.exited, Promise.resolve('alive' as const)])) === 'alive';
  const percent = Math.round((succeeded / count) * 100);
  return outcome(
    'Postgres restart',
    started,
    count,
    succeeded,
    `${percent}%${workerAlive ? ', worker reconnected' : ', worker died'}`,
    succeeded === count && workerAlive,
  );
}
