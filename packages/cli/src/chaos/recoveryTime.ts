import { toRunUuid } from '@flowline/engine';
import type { ChaosStack } from './chaosStack.ts';
import { outcome, type ChaosOutcome } from './chaosOutcome.ts';
import { ChaosHold } from './chaosWorkflows.ts';
import { WATCH_SETTLE_MS } from './killWorker.ts';

/** The p99 the issue sets for a node's restart after its worker's death. */
export const RECOVERY_P99_TARGET_S = 3;

/**
 * kill -9 of a worker holding `count` running nodes and `count` jobs it took
 * from the queue but has not claimed yet (their claim waits behind row locks
 * this scenario holds), with a second worker alive, all at default settings.
 * Each node must start again on the survivor; the time from the kill to each
 * node's (re)start is measured, and its p99 must be within RECOVERY_P99_TARGET_S.
 */
export async function recoverFromWorkerKill(stack: ChaosStack, count = 50): Promise<ChaosOutcome & { readonly p50: number; readonly p99: number }> {
  const started = Date.now();
  await stack.define(ChaosHold);
  const worker = { FLOWLINE_WORKER_CONCURRENCY: String(count * 3) };
  const doomed = await stack.startWorker(worker);
  const running = await stack.startRuns(ChaosHold.name, count);
  for (const id of running) await stack.waitFor(id, (run) => run.nodes[0]!.statusName === 'RUNNING', 30_000);

  // Jobs the doomed worker takes but cannot claim: their nodes' rows are locked while it takes them.
  await stack.pauseQueue();
  const taken = await stack.startRuns(ChaosHold.name, count);
  const locks = await stack.database.db.pool.connect();
  await locks.query('BEGIN');
  await locks.query('SELECT 1 FROM node_runs WHERE run_id = ANY($1::uuid[]) FOR UPDATE', [taken.map((id) => toRunUuid(id)!)]);
  await stack.resumeQueue();
  await waitUntil(async () => (await stack.activeAttempts()) >= 2 * count, 30_000);

  await stack.startWorker(worker);
  await new Promise((resolve) => setTimeout(resolve, WATCH_SETTLE_MS));
  const killedAt = Date.now();
  await doomed.kill('SIGKILL');
  await locks.query('ROLLBACK');
  locks.release();

  const runs = await stack.waitForRuns([...running, ...taken], 60_000);
  const delays = runs.map((run) => {
    const node = run.nodes[0]!;
    return node.startedAt && node.statusName === 'SUCCESS' ? (node.startedAt.getTime() - killedAt) / 1000 : Number.POSITIVE_INFINITY;
  });
  const sorted = [...delays].sort((a, b) => a - b);
  const p50 = sorted[Math.floor(sorted.length * 0.5)]!;
  const p99 = sorted[Math.min(sorted.length - 1, Math.ceil(sorted.length * 0.99) - 1)]!;
  const succeeded = runs.filter((r) => r.statusName === 'SUCCESS').length;
  const passed = succeeded === runs.length && p99 <= RECOVERY_P99_TARGET_S;
  return {
    ...outcome(
      `kill -9 a worker holding ${count} running + ${count} taken jobs`,
      started,
      runs.length,
      succeeded,
      `restart after the kill p50 ${p50.toFixed(2)} s, p99 ${p99.toFixed(2)} s (target ≤ ${RECOVERY_P99_TARGET_S} s)`,
      passed,
    ),
    p50,
    p99,
  };
}

async function waitUntil(condition: () => Promise<boolean>, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await condition())) {
    if (Date.now() > deadline) throw new Error('chaos: the stack did not reach the state the scenario needs in time');
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}
