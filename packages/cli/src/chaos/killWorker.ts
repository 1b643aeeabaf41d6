import type { ChaosStack } from './chaosStack.ts';
import { outcome, type ChaosOutcome } from './chaosOutcome.ts';
import { ChaosNap } from './chaosWorkflows.ts';

/** Long enough for a new worker's death watch (every 500 ms by default) to have looked twice. */
export const WATCH_SETTLE_MS = 1500;

/**
 * SIGKILL the worker process while a node with no retries sleeps, then start
 * another, all at flowline's default settings: the dead worker's liveness lock
 * goes with it, the new worker's death watch re-runs the node as a lost
 * attempt, and the run ends SUCCESS with the node completed once, its record
 * showing the lost attempt. Reports how long the node took to start again.
 */
export async function killWorkerMidNode(stack: ChaosStack): Promise<ChaosOutcome> {
  const started = Date.now();
  await stack.define(ChaosNap);
  const workers = [await stack.startWorker(), await stack.startWorker()];
  // A death watch judges only workers it saw alive: let each worker's watch look at the other first, as a fleet's do.
  await new Promise((resolve) => setTimeout(resolve, WATCH_SETTLE_MS));
  const [runId] = await stack.startRuns(ChaosNap.name, 1);
  const running = await stack.waitFor(runId!, (run) => run.nodes[0]!.statusName === 'RUNNING', 15_000);
  // Kill whichever worker runs it: its lease owner names its process.
  const holder = await stack.database.db.pool.query<{ owner: string }>(`SELECT lease_owner AS owner FROM node_runs WHERE run_id = $1 AND name = $2`, [
    running.uuid,
    ChaosNap.nodes[0]!.name,
  ]);
  const pid = Number(holder.rows[0]!.owner.split(':')[2]);
  const doomed = workers.find((worker) => worker.pid === pid)!;
  const killedAt = Date.now();
  await doomed.kill('SIGKILL');
  const [run] = await stack.waitForRuns([runId!], 30_000);
  const nap = run!.nodes.find((n) => n.name === ChaosNap.nodes[0]!.name)!;
  const completions = nap.result.split('Completed.').length - 1;
  const lost = nap.attempts[0];
  const restartSeconds = nap.startedAt ? (nap.startedAt.getTime() - killedAt) / 1000 : Number.NaN;
  const passed =
    run!.statusName === 'SUCCESS' && nap.statusName === 'SUCCESS' && nap.attempt === 2 && nap.lostAttempts === 1 && lost?.lost === true && completions === 1;
  return outcome(
    'kill -9 a worker mid-node (retries 0)',
    started,
    1,
    run!.statusName === 'SUCCESS' ? 1 : 0,
    passed
      ? `recovered in ${restartSeconds.toFixed(1)} s, completed once, attempt 1 recorded lost`
      : `run ${run!.statusName}, node ${nap.statusName} attempt ${nap.attempt} (${nap.lostAttempts} lost), ${completions} completions`,
    passed,
  );
}
