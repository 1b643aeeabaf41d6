import type { ContenderFactory } from '../contenders/contender.ts';
import type { BenchEnvironment } from '../harness/benchEnvironment.ts';
import { Better, type Measurement } from '../harness/measurement.ts';
import { repeatPerContender } from '../harness/repeatPerContender.ts';
import { percentile } from '../harness/stats.ts';

const METRICS = [
  { metric: 'per-hop p50', unit: 'ms', better: Better.LOWER },
  { metric: 'per-hop p99', unit: 'ms', better: Better.LOWER },
  { metric: 'end-to-end p50', unit: 'ms', better: Better.LOWER },
  { metric: 'end-to-end p99', unit: 'ms', better: Better.LOWER },
] as const;

/**
 * S2: chains run one at a time. A hop is from one step's handler starting to
 * the next one's starting (the completion write, the dispatch and the claim in
 * between); end to end is from the start call to the last step's handler.
 */
export function runLatencyScenario(env: BenchEnvironment, factories: readonly ContenderFactory[]): Promise<Measurement[]> {
  const { chainLength, chains } = env.scale;
  return repeatPerContender(
    env,
    factories,
    { id: 'S2', metrics: METRICS },
    async (contender) => {
      for (let i = 0; i < 5; i++) await contender.runChain(chainLength);
    },
    async (contender) => {
      const hops: number[] = [];
      const ends: number[] = [];
      for (let i = 0; i < chains; i++) {
        const [started, ...steps] = await contender.runChain(chainLength);
        for (let s = 1; s < steps.length; s++) hops.push(steps[s]! - steps[s - 1]!);
        ends.push(steps[steps.length - 1]! - started!);
      }
      return {
        'per-hop p50': percentile(hops, 50),
        'per-hop p99': percentile(hops, 99),
        'end-to-end p50': percentile(ends, 50),
        'end-to-end p99': percentile(ends, 99),
      };
    },
  );
}
