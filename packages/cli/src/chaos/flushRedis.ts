import type { ChaosStack } from './chaosStack.ts';
import { outcome, type ChaosOutcome } from './chaosOutcome.ts';
import { ChaosChain } from './chaosWorkflows.ts';

/**
 * Deletes every Redis key of the installation while `count` runs are in
 * flight (FLUSHALL, scoped to one prefix so a shared Redis survives): queued
 * jobs vanish, and the reconciler re-dispatches them from Postgres.
 */
export async function flushRedisMidFlight(stack: ChaosStack, count = 100): Promise<ChaosOutcome> {
  await stack.define(ChaosChain);
  await stack.startWorker();
  const started = Date.now();
  const runIds = await stack.startRuns(ChaosChain.name, count);
  await new Promise((r) => setTimeout(r, 400));
  const deleted = await stack.flushQueue();
  const runs = await stack.waitForRuns(runIds, 60_000);
  const succeeded = runs.filter((r) => r.statusName === 'SUCCESS').length;
  // What the stragglers are doing, so a failure says where recovery stopped.
  const stuck = runs
    .filter((r) => r.statusName !== 'SUCCESS')
    .slice(0, 3)
    .map((r) => `${r.id} ${r.statusName}: ${r.nodes.map((n) => `${n.name}=${n.statusName}#${n.attempt}`).join(' ')}`);
  return outcome(
    `Redis flush of the prefix (${deleted} keys)`,
    started,
    count,
    succeeded,
    succeeded === count ? `${succeeded}/${count}` : `${succeeded}/${count}; ${stuck.join('; ')}`,
    succeeded === count,
  );
}
