import type { ContenderFactory, StartMode, ThroughputContender } from '../contenders/contender.ts';
import type { BenchEnvironment } from '../harness/benchEnvironment.ts';
import { Better, type Measurement } from '../harness/measurement.ts';
import { repeatPerContender } from '../harness/repeatPerContender.ts';

/** Starts a bulk call carries: the most `POST /v1/runs:batch` takes, and the batch the peers' docs measure their bulk APIs with. */
const BULK_BATCH = 1000;
/** Runs of each mode in the unmeasured warm-up: enough to plan and JIT every statement and path. */
const WARM_UP_RUNS = 300;
/** Bulk calls in flight at once: a producer loop per core of the machine this is measured on. */
const BULK_IN_FLIGHT = 2;

/**
 * S1: one-step workflows started and completed, per second, in two modes for
 * every contender: bulk (1,000 starts a call of its bulk API) and per call
 * (one start a call, `producers` calls in flight). Each repetition measures
 * both, bulk first; completion is counted where each contender makes it
 * durable (see each adapter).
 */
export function runThroughputScenario<C extends ThroughputContender>(env: BenchEnvironment, factories: readonly ContenderFactory<C>[]): Promise<Measurement[]> {
  const { throughputRuns, perCallRuns, producers } = env.scale;
  const modes: readonly { metric: string; runs: number; mode: StartMode }[] = [
    { metric: `${throughputRuns} one-step runs, bulk (${BULK_BATCH} a call)`, runs: throughputRuns, mode: { kind: 'bulk', batch: BULK_BATCH, inFlight: BULK_IN_FLIGHT } },
    { metric: `${perCallRuns} one-step runs, per call (${producers} producers)`, runs: perCallRuns, mode: { kind: 'perCall', producers } },
  ];
  return repeatPerContender(
    env,
    factories,
    { id: 'S1', metrics: modes.map(({ metric }) => ({ metric, unit: 'runs/s', better: Better.HIGHER })) },
    async (contender) => {
      for (const { runs, mode } of modes) await contender.runOneStep(Math.min(WARM_UP_RUNS, runs), mode);
    },
    async (contender) => {
      const rates: Record<string, number> = {};
      for (const { metric, runs, mode } of modes) {
        const started = performance.now();
        await contender.runOneStep(runs, mode);
        rates[metric] = runs / ((performance.now() - started) / 1000);
      }
      return rates;
    },
  );
}
