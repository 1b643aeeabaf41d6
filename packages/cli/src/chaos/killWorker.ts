import type { ChaosStack } from './chaosStack.ts';
import { outcome, type ChaosOutcome } from './chaosOutcome.ts';
import { ChaosNap } from './chaosWorkflows.ts';

/**
 * SIGKILL the worker process while a node sleeps, then start another: the
 * node's lease lapses, the new worker's reconciler retries it, and the run
 * ends SUCCESS with that node completed exactly once.
 */
export async function killWorkerMidNode(stack: ChaosStack): Promise<ChaosOutcome> {
  const started = Date.now();
  await stack.define(ChaosNap);
  const doomed = await stack.startWorker();
  const [runId] = await stack.startRuns(ChaosNap.name, 1);
  await stack.waitFor(runId!, (run) => run.nodes[0]!.statusName === 'RUNNING', 15_000);
  await doomed.kill('SIGKILL');
  await stack.startWorker();
  const [run] = await stack.waitForRuns([runId!], 30_000);
  const nap = run!.nodes.find((n) => n.name === ChaosNap.nodes[0]!.name)!;
  const completions = nap.result.split('Completed.').length - 1;
  const passed = run!.statusName === 'SUCCESS' && nap.statusName === 'SUCCESS' && nap.attempt === 2 && completions === 1;
  return outcome(
    'kill -9 a worker mid-node',
    started,
    1,
    run!.statusName === 'SUCCESS' ? 1 : 0,
    passed ? 'recovered, completed once' : `run ${run!.statusName}, node ${nap.statusName} attempt ${nap.attempt}, ${completions} completions`,
    passed,
  );
}
