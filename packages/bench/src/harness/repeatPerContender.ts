import type { ContenderFactory, Contender } from '../contenders/contender.ts';
import type { BenchEnvironment } from './benchEnvironment.ts';
import type { Measurement, MetricSpec } from './measurement.ts';
import { progress } from './progress.ts';
import { spread } from './stats.ts';

/**
 * The loop every contender-vs-contender scenario shares: set the contender up
 * on scratch storage, run one unmeasured warm-up, then `repetitions` measured
 * repetitions, and tear it down. Contenders run one after another, never at
 * once, so none competes with another for the two cores.
 */
export async function repeatPerContender(
  env: BenchEnvironment,
  factories: readonly ContenderFactory[],
  scenario: { readonly id: string; readonly metrics: readonly MetricSpec[] },
  warmUp: (contender: Contender) => Promise<unknown>,
  repetition: (contender: Contender) => Promise<Record<string, number>>,
): Promise<Measurement[]> {
  const measurements: Measurement[] = [];
  for (const factory of factories) {
    progress(`${scenario.id} ${factory.name}: setting up`);
    const contender = await factory.start(env);
    const samples = new Map<string, number[]>(scenario.metrics.map((m) => [m.metric, []]));
    try {
      await warmUp(contender);
      for (let rep = 1; rep <= env.scale.repetitions; rep++) {
        const values = await repetition(contender);
        for (const [metric, value] of Object.entries(values)) samples.get(metric)!.push(value);
        progress(`${scenario.id} ${factory.name}: repetition ${rep}/${env.scale.repetitions} ${formatValues(values)}`);
      }
    } finally {
      await contender.close();
    }
    for (const spec of scenario.metrics) {
      const values = samples.get(spec.metric)!;
      measurements.push({ scenario: scenario.id, ...spec, contender: factory.name, postgresBacked: factory.postgresBacked, samples: values, spread: spread(values) });
    }
  }
  return measurements;
}

function formatValues(values: Record<string, number>): string {
  return Object.entries(values)
    .map(([metric, value]) => `${metric}=${value.toFixed(value < 10 ? 2 : 0)}`)
    .join(' ');
}
