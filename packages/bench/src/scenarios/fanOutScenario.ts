import type { ContenderFactory } from '../contenders/contender.ts';
import type { BenchEnvironment } from '../harness/benchEnvironment.ts';
import { Better, type Measurement } from '../harness/measurement.ts';
import { repeatPerContender } from '../harness/repeatPerContender.ts';

/** S3: 1 → width → 1, wall time from the start call to the join step running. */
export function runFanOutScenario(env: BenchEnvironment, factories: readonly ContenderFactory[]): Promise<Measurement[]> {
  const metricOf = (width: number) => `1→${width}→1`;
  return repeatPerContender(
    env,
    factories,
    { id: 'S3', metrics: env.scale.fanOutWidths.map((width) => ({ metric: metricOf(width), unit: 'ms', better: Better.LOWER })) },
    (contender) => contender.runFanOut(100),
    async (contender) => {
      const values: Record<string, number> = {};
      for (const width of env.scale.fanOutWidths) {
        const started = performance.now();
        await contender.runFanOut(width);
        values[metricOf(width)] = performance.now() - started;
      }
      return values;
    },
  );
}
