import type { Dag } from '../core/dag.ts';
import { Status } from '../core/status.ts';
import type { NodeDispatch } from '../queue/nodeQueue.ts';
import type { ReleaseRequest, RunDecision } from '../storage/applyCommands.ts';
import type { ClaimedNode } from '../storage/claimNodes.ts';
import type { ReportedOutputs } from './reportedOutputs.ts';

/** A claimed attempt, ready to run: its row's facts, its run's DAG, and its parents' outputs by name. */
export interface ClaimedAttempt {
  readonly claimed: ClaimedNode;
  readonly dag: Dag;
  readonly parents: Record<string, unknown>;
}

/**
 * A worker sharing the engine's process (see NodeWorker's local lane). The
 * engine hands it the due attempts its decisions make runnable — after
 * commit, to run or queue here instead of in Redis — and, before a decision's
 * write, asks it for free slots: that many released nodes are claimed for it
 * in the write itself, so a chain's next step costs no claim of its own.
 */
export interface LocalLane {
  /** the lease owner nodes claimed for this worker are written under */
  readonly leaseOwner: string;
  readonly leaseMs: number;
  /** Holds up to `count` free slots for nodes claimed as they are released; answers how many it holds. */
  reserve(count: number): number;
  /** Runs attempts claimed into held slots, and frees the `unused` held slots that none was claimed into. */
  runClaimed(claims: readonly ClaimedAttempt[], unused: number): void;
  /** Runs or queues due attempts here; answers those it did not take, which go to Redis. */
  take(attempts: readonly NodeDispatch[]): readonly NodeDispatch[];
}

/**
 * The nodes `decisions` release (WAIT → READY) and enqueue to run now, in
 * decision order: those a local worker can claim in the decisions' own write.
 * Retries (which wait their backoff) and re-dispatches of READY nodes go
 * through the queue as before. `parents` lists the parents whose outputs the
 * claim reads from Postgres: the others succeed in these very decisions.
 */
export function dueReleases(
  decisions: readonly RunDecision[],
  dags: ReadonlyMap<string, Dag>,
  reported: ReportedOutputs,
  now: Date,
): ReleaseRequest[] {
  const due: ReleaseRequest[] = [];
  for (const { runId, commands } of decisions) {
    const released = new Set<string>();
    for (const c of commands) if (c.type === 'SET_NODE' && c.from === Status.WAIT && c.to === Status.READY) released.add(`${c.node}\0${c.attempt}`);
    for (const command of commands) {
      if (command.type !== 'ENQUEUE' || command.runAt.getTime() > now.getTime()) continue;
      if (!released.has(`${command.node}\0${command.attempt}`)) continue;
      const dag = dags.get(runId)!;
      const { type, params } = dag.nodes.get(command.node)!;
      const parents = dag.parents.get(command.node) ?? [];
      due.push({ runId, node: command.node, attempt: command.attempt, type, parameters: params, parents: parents.filter((p) => !reported.has(runId, p)) });
    }
  }
  return due;
}
