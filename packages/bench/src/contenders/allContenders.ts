import { bullmqContender } from './bullmqContender.ts';
import type { ContenderFactory, ThroughputContender } from './contender.ts';
import { flowlineShippedContender } from './flowlineShippedContender.ts';
import { flowlineContender, flowlineSplitContender } from './flowlineContender.ts';
import { graphileWorkerBatchedContender, graphileWorkerContender } from './graphileWorkerContender.ts';
import { pgBossContender } from './pgBossContender.ts';

/** Every engine the benchmark compares, flowline first. */
export const ALL_CONTENDERS: readonly ContenderFactory[] = [
  flowlineContender,
  flowlineSplitContender,
  bullmqContender,
  graphileWorkerContender,
  graphileWorkerBatchedContender,
  pgBossContender,
];

/** S1's contenders: flowline as shipped (separate API and worker processes, S1 only) first, then every other. */
export const THROUGHPUT_CONTENDERS: readonly ContenderFactory<ThroughputContender>[] = [flowlineShippedContender, ...ALL_CONTENDERS];
