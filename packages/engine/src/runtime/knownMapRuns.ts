import { keepPositions, nodePositions } from '../core/nodePositions.ts';
import type { NodeState, RunState } from '../core/runState.ts';
import { Status } from '../core/status.ts';
import type { LockedRunRow } from '../storage/lockRun.ts';
import type { ReportedSuccess } from './knownRunStates.ts';

/**
 * The runs with maps this process decided about last, as its committed
 * decisions left them: the whole state, valid at the run's decisionSeq after
 * the write. A run with maps is decided on its whole state, locked (its
 * elements are rows no success scope names, see KnownRunStates), and reading
 * and indexing 10,000 element rows for each batch of their successes made a
 * 10,000-wide map quadratic: 22.7 s, against 0.8 s for a fixed fan-out of
 * the same width. With this, a batch of element successes locks the run's row
 * and, when its decisionSeq is the one known, decides on what is known.
 *
 * Sound for the reason KnownRunStates is: every decision bumps the
 * decisionSeq, read here under the run's lock, so nothing a decision wrote
 * is missed. What moves without a decision is a claim (READY → RUNNING, which
 * the reported success itself tells, and which the write's conditions check)
 * and a run's start mark (the run's status, taken from the locked row).
 */
export class KnownMapRuns {
  private readonly runs = new Map<string, { readonly decisionSeq: number; readonly state: RunState }>();
  /** How many nodes all known runs hold together. */
  private nodes = 0;

  /** At most `maxNodes` nodes are kept (a 10,000-wide map is 10,000): past that, the runs decided about longest ago go first. */
  constructor(private readonly maxNodes = 250_000) {}

  /**
   * The state to decide these successes of a run on, locked as `run`: what
   * its last decision here left, if no other decision came since and every
   * success is of an attempt known as claimable or running as reported.
   */
  stateFor(run: LockedRunRow, successes: readonly ReportedSuccess[]): RunState | undefined {
    const known = this.runs.get(run.id);
    if (!known || known.decisionSeq !== run.decisionSeq) return undefined;
    const nodes = [...known.state.nodes];
    keepPositions(known.state.nodes, nodes);
    const positions = nodePositions(nodes);
    for (const success of successes) {
      const position = positions.get(success.node);
      const node = position === undefined ? undefined : nodes[position]!;
      const running = node && runningAsReported(node, success);
      if (!running) return undefined;
      nodes[position!] = running;
    }
    return { ...known.state, status: run.status, cancelRequested: run.cancelRequested, nodes };
  }

  /** Keeps what a committed decision left a run with maps as, at the decisionSeq after its write. */
  record(runId: string, decisionSeq: number, state: RunState): void {
    this.forget(runId);
    this.runs.set(runId, { decisionSeq, state });
    this.nodes += state.nodes.length;
    for (const [oldest] of this.runs) {
      if (oldest === runId || this.nodes <= this.maxNodes) break;
      this.forget(oldest);
    }
  }

  /** Forgets a run: it ended, or a decision about it did not commit. */
  forget(runId: string): void {
    const known = this.runs.get(runId);
    if (!known) return;
    this.runs.delete(runId);
    this.nodes -= known.state.nodes.length;
  }
}

/**
 * The node as a reported success finds it: known READY (claimed since, which
 * is no decision: the report tells the attempt and the write checks it) or
 * RUNNING as reported. Undefined when the report and what is known disagree,
 * or the attempt ran unclaimed: the run is then read afresh.
 */
function runningAsReported(node: NodeState, { attempt, leaseOwner, unclaimedStart }: ReportedSuccess): NodeState | undefined {
  if (unclaimedStart) return undefined;
  if (node.status === Status.READY) return { ...node, status: Status.RUNNING, attempt, leaseOwner: leaseOwner ?? null };
  if (node.status === Status.RUNNING && node.attempt === attempt && (leaseOwner === undefined || node.leaseOwner === leaseOwner)) return node;
  return undefined;
}
