import type { ContenderFactory } from '../contenders/contender.ts';
import type { BenchEnvironment } from '../harness/benchEnvironment.ts';
import { Better, type Measurement } from '../harness/measurement.ts';
import { repeatPerContender } from '../harness/repeatPerContender.ts';

/** S1: one-step workflows started (by concurrent producers) and completed, per second. */
export function runThroughputScenario(env: BenchEnvironment, factories: readonly ContenderFactory[]): Promise<Measurement[]> {
  const { throughputRuns, producers } = env.scale;
  return repeatPerContender(
    env,
    factories,
    { id: 'S1', metrics: [{ metric: `${throughputRuns} one-step runs`, unit: 'runs/s', better: Better.HIGHER }] },
    (contender) => contender.runOneStep(Math.min(500, throughputRuns), producers),
    async (contender) => {
      const started = performance.now();
      await contender.runOneStep(throughputRuns, producers);
      return { [`${throughputRuns} one-step runs`]: throughputRuns / ((performance.now() - started) / 1000) };
    },
  );
}
