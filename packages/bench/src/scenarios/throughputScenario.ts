import type { ContenderFactory, StartMode } from '../contenders/contender.ts';
import type { BenchEnvironment } from '../harness/benchEnvironment.ts';
import { Better, type Measurement } from '../harness/measurement.ts';
import { meterRunCost, type RunCost } from '../harness/costMeter.ts';
import { repeatPerContender } from '../harness/repeatPerContender.ts';

/** Starts a bulk call carries: the most `POST /v1/runs:batch` takes, and the batch the peers' docs measure their bulk APIs with. */
const BULK_BATCH = 1000;
/** Runs of each mode in the unmeasured warm-up: enough to plan and JIT every statement and path. */
const WARM_UP_RUNS = 300;
/** Bulk calls in flight at once: a producer loop per core of the machine this is measured on. */
const BULK_IN_FLIGHT = 2;

/** What a bulk run costs, as S1 reports it beside the rate: the numbers behind each contender's throughput. */
const COST_METRICS: readonly { key: keyof RunCost; metric: string; unit: string }[] = [
  { key: 'transactions', metric: 'bulk: Postgres transactions a run', unit: 'transactions' },
  { key: 'rowsWritten', metric: 'bulk: rows written a run', unit: 'rows' },
  { key: 'walBytes', metric: 'bulk: WAL a run (whole server)', unit: 'bytes' },
  { key: 'nodeCpuMs', metric: 'bulk: Node CPU a run (all its processes)', unit: 'ms' },
  { key: 'postgresCpuMs', metric: 'bulk: Postgres CPU a run (its backends)', unit: 'ms' },
  { key: 'redisCpuMs', metric: 'bulk: Redis CPU a run (whole server)', unit: 'ms' },
];

/**
 * S1: one-step workflows started and completed, per second, in two modes for
 * every contender: bulk (1,000 starts a call of its bulk API) and per call
 * (one start a call, `producers` calls in flight). Each repetition measures
 * both, bulk first; completion is counted where each contender makes it
 * durable (see each adapter). The bulk pass is also metered (harness/costMeter.ts):
 * transactions, rows and WAL a run, and the CPU of every process doing the work.
 */
export function runThroughputScenario(env: BenchEnvironment, factories: readonly ContenderFactory[]): Promise<Measurement[]> {
  const { throughputRuns, perCallRuns, producers } = env.scale;
  const modes: readonly { metric: string; runs: number; mode: StartMode }[] = [
    { metric: `${throughputRuns} one-step runs, bulk (${BULK_BATCH} a call)`, runs: throughputRuns, mode: { kind: 'bulk', batch: BULK_BATCH, inFlight: BULK_IN_FLIGHT } },
    { metric: `${perCallRuns} one-step runs, per call (${producers} producers)`, runs: perCallRuns, mode: { kind: 'perCall', producers } },
  ];
  return repeatPerContender(
    env,
    factories,
    {
      id: 'S1',
      metrics: [
        ...modes.map(({ metric }) => ({ metric, unit: 'runs/s', better: Better.HIGHER })),
        ...COST_METRICS.map(({ metric, unit }) => ({ metric, unit, better: Better.LOWER })),
      ],
    },
    async (contender) => {
      for (const { runs, mode } of modes) await contender.runOneStep(Math.min(WARM_UP_RUNS, runs), mode);
    },
    async (contender) => {
      const rates: Record<string, number> = {};
      for (const { metric, runs, mode } of modes) {
        let seconds = 0;
        const pass = async () => {
          const started = performance.now();
          await contender.runOneStep(runs, mode);
          seconds = (performance.now() - started) / 1000;
        };
        if (mode.kind === 'bulk') {
          const cost = await meterRunCost(contender.cost, env.redisUrl, runs, pass);
          for (const { key, metric } of COST_METRICS) rates[metric] = cost[key];
        } else await pass();
        rates[metric] = runs / seconds;
      }
      return rates;
    },
  );
}
