import type { ContenderFactory } from '../contenders/contender.ts';
import type { BenchEnvironment } from '../harness/benchEnvironment.ts';
import { Better, type Measurement } from '../harness/measurement.ts';
import { repeatPerContender } from '../harness/repeatPerContender.ts';

/**
 * S3: 1 → width → 1, wall time from the start call to the join step running.
 * The warm-up runs every measured width once: a contender's first 10,000-wide
 * run in a process pays for its heap growing and its code paths compiling at
 * that size (flowline's and BullMQ's ran 1.5–2× their later ones), which a
 * long-running engine pays once, not per run.
 */
export function runFanOutScenario(env: BenchEnvironment, factories: readonly ContenderFactory[]): Promise<Measurement[]> {
  const metricOf = (width: number) => `1→${width}→1`;
  return repeatPerContender(
    env,
    factories,
    { id: 'S3', metrics: env.scale.fanOutWidths.map((width) => ({ metric: metricOf(width), unit: 'ms', better: Better.LOWER })) },
    async (contender) => {
      for (const width of env.scale.fanOutWidths) await contender.runFanOut(width);
    },
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
