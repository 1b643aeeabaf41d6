import type { Dag } from '../core/dag.ts';
import type { ClaimedNode } from '../storage/claimNodes.ts';

/**
 * An attempt ready to run, as a claim answers it (or, for an attempt started
 * before its claim, as its release answered it): its row's and its run's
 * facts, its run's DAG, and its parents' outputs by name.
 */
export interface ClaimedAttempt {
  readonly claimed: ClaimedNode;
  readonly dag: Dag;
  readonly parents: Record<string, unknown>;
}
