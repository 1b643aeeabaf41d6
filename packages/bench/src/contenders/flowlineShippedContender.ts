import { rmSync, writeFileSync } from 'node:fs';
import type { BatchStart } from '@flowline/client';
import { forEachBounded } from '../harness/boundedConcurrency.ts';
import { startAll, untilNoneUnfinished } from '../harness/startMode.ts';
import type { ContenderFactory } from './contender.ts';
import { flowlineRunCount } from './flowlineRunCount.ts';
import { flowlineRunRecords } from './flowlineRunRecords.ts';
import { launchShippedFlowline } from './flowlineShippedDeployment.ts';

/** This process's clock as the workflows module reads its own (epoch ms, sub-millisecond): see workflows/benchWorkflows.mjs. */
const wallClockMs = () => performance.timeOrigin + performance.now();

/**
 * flowline as shipped (flowlineShippedDeployment.ts): separate api and worker
 * processes from the built dist, default settings and logging, starts over
 * HTTP with the shipped client — `start` per call, `startMany`
 * (`POST /v1/runs:batch`) in bulk. Its handlers run in the worker process, out
 * of the harness's reach, so every scenario is timed from outside, from what
 * the durable records say and when the harness reads it:
 *
 * - S1: done once the run rows say every run ended, as for every
 *   Postgres-backed contender (flowlineRunCount.ts).
 * - S2: each chain step's handler notes, first thing, when it began, and
 *   returns it as its output; once the run row says it ended, the harness
 *   reads those from node_runs. A hop is one step's start to the next one's,
 *   end to end is the start call (sent from here) to the last step's start:
 *   the definitions latencyScenario.ts applies to every contender, the peers'
 *   handlers noting the same moments in process (jobQueuePeer.ts `chainStep`).
 *   Not node_runs' own times: `started_at` is the claim, and a child the
 *   worker claims as its parent's success commits gets its parent's decision
 *   time there, before the commit and the dispatch that a hop must count; and
 *   parent end → child start would leave out the handler, and the peers'
 *   handlers enqueue their next step inside it.
 * - S3: the start call until this harness reads the run row as ended: more
 *   than the peers' rows count (their join handler running, in process) by the
 *   join's completion write and up to 2% of polling (flowlineRunRecords.ts).
 * - S5: the resident set of the api and worker processes together, read from
 *   /proc; the harness's own process (the producer) is not counted.
 */
export const flowlineShippedContender: ContenderFactory = {
  name: 'flowline (shipped)',
  postgresBacked: true,
  async start(env) {
    const fanOuts = env.scale.fanOutWidths.map((width) => `bench_fan_${width}`);
    const deployment = await launchShippedFlowline(env, ['bench_one_step', 'bench_held', 'bench_chain', ...fanOuts]);
    const { client } = deployment;
    const runs = flowlineRunCount(deployment.databaseUrl);
    const records = flowlineRunRecords(deployment.databaseUrl);

    return {
      cost: { databaseUrl: deployment.databaseUrl, childPids: () => deployment.pids() },
      async runOneStep(count, mode) {
        const target = (await runs.succeeded()) + count;
        const starts: BatchStart[] = [];
        await startAll(
          count,
          mode,
          () => client.start('bench_one_step'),
          async (_, n) => {
            starts.length = n;
            const answer = await client.startMany(starts.fill({ workflow: 'bench_one_step' }));
            if (answer.failed > 0) throw new Error(`flowline (shipped): ${answer.failed} starts of a batch failed`);
          },
        );
        await untilNoneUnfinished(() => runs.live());
        const succeeded = await runs.succeeded();
        if (succeeded !== target) throw new Error(`flowline (shipped): ${succeeded} runs succeeded, expected ${target}`);
      },
      async runChain(length) {
        const started = wallClockMs();
        const run = await client.start('bench_chain');
        await records.untilSucceeded(run.id);
        const steps = await records.nodeNumbers(run.id, 'startedAtMs');
        if (steps.length !== length) throw new Error(`flowline (shipped): bench_chain has ${steps.length} steps, the scenario asks for ${length}`);
        return [started, ...steps];
      },
      async runFanOut(width) {
        const run = await client.start(`bench_fan_${width}`);
        await records.untilSucceeded(run.id);
      },
      async holdInFlight(count, producers) {
        writeFileSync(deployment.holdFile, '');
        await forEachBounded(count, producers, () => client.start('bench_held'));
        return {
          release: async () => {
            rmSync(deployment.holdFile);
            await untilNoneUnfinished(() => runs.live());
          },
        };
      },
      residentBytes: () => deployment.residentBytes(),
      async close() {
        await runs.end();
        await records.end();
        await deployment.close();
      },
    };
  },
};
