import type { Dag } from './dag.ts';
import { Status } from './status.ts';

/**
 * A node's status as its run's start inserts it: a root READY (WAIT while
 * its run waits for admission under a concurrency limit, which then makes it
 * READY), every other node WAIT.
 *
 * Until the run's first decision (its decisionSeq still 0) nothing else moves
 * a node but claims (READY → RUNNING) and that admission: no node has ended or
 * is satisfied, so a run seen at decisionSeq 0 is, for every decision, as its
 * start inserted it (see KnownRunStates.recordUndecided).
 */
export function statusAtStart(dag: Dag, node: string, admitted: boolean): Status {
  return admitted && dag.parents.get(node)!.length === 0 ? Status.READY : Status.WAIT;
}
