import { bullmqContender } from './bullmqContender.ts';
import type { ContenderFactory } from './contender.ts';
import { flowlineShippedContender } from './flowlineShippedContender.ts';
import { flowlineContender, flowlineSplitContender } from './flowlineContender.ts';
import { graphileWorkerBatchedContender, graphileWorkerContender } from './graphileWorkerContender.ts';
import { pgBossContender } from './pgBossContender.ts';

/** Every engine the benchmark compares: flowline as shipped first, then in process, then the peers. */
export const ALL_CONTENDERS: readonly ContenderFactory[] = [
  flowlineShippedContender,
  flowlineContender,
  flowlineSplitContender,
  bullmqContender,
  graphileWorkerContender,
  graphileWorkerBatchedContender,
  pgBossContender,
];
