import { bullmqContender } from './bullmqContender.ts';
import type { ContenderFactory } from './contender.ts';
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
