import { keepPositions, nodePositions } from '../core/nodePositions.ts';
import type { NodeState, NodeStateRow, RunState } from '../core/runState.ts';
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
 * the same width. With this, a batch of element reports locks the run's row
 * and decides on what is known, brought up to the row's decisionSeq with the
 * rows other processes' decisions wrote since (each row holds the seq of the
 * decision that last wrote it, `decided_seq`): 3.1 s in one process, 3.6 s
 * over two.
 *
 * Sound for the reason KnownRunStates is: every decision bumps the
 * decisionSeq and stamps the rows it writes, read here under the run's lock,
 * so nothing a decision wrote is missed. What moves without a decision is a
 * claim (READY → RUNNING, which the report itself tells, and which the
 * write's conditions check), a lease taken over (the write's lease check
 * refuses it) and a run's start mark (the run's status, taken from the locked
 * row).
 */
export class KnownMapRuns {
  private readonly runs = new Map<string, { readonly decisionSeq: number; readonly state: RunState }>();
  /** How many nodes all known runs hold together. */
  private nodes = 0;

  /** At most `maxNodes` nodes are kept (a 10,000-wide map is 10,000): past that, the runs decided about longest ago go first. */
  constructor(private readonly maxNodes = 250_000) {}

  /** The decisionSeq the run is known as of, if it is known. */
  knownSeq(runId: string): number | undefined {
    return this.runs.get(runId)?.decisionSeq;
  }

  /**
   * The state to decide these reports (successes, failures) of a run on, locked as `run`: what
   * its last decision here left (as of `since.seq`), brought up to date with
   * the rows decided after it (`since.rows`, storage/readNodesDecidedSince.ts),
   * if every report is of an attempt known as claimable or running as
   * reported. Undefined — read the run whole — when a decided row is one not
   * known (a map reached since) or a map is now to be reached (its list is
   * read with the whole run).
   */
  stateFor(run: LockedRunRow, reports: readonly ReportedSuccess[], since: { readonly seq: number; readonly rows: readonly NodeStateRow[] } = { seq: run.decisionSeq, rows: [] }): RunState | undefined {
    const known = this.runs.get(run.id);
    if (!known || known.decisionSeq !== since.seq) return undefined;
    const nodes = [...known.state.nodes];
    keepPositions(known.state.nodes, nodes);
    const positions = nodePositions(nodes);
    for (const row of since.rows) {
      const position = positions.get(row.name);
      if (position === undefined) return undefined;
      const node = nodes[position]!;
      nodes[position] = { ...node, status: row.status, attempt: row.attempt, leaseOwner: row.leaseOwner, lostAttempts: row.lostAttempts ?? 0, skipRequested: row.skipRequested ?? false };
    }
    if (nodes.some((node) => awaitsItsList(node, nodes, positions))) return undefined;
    for (const report of reports) {
      const position = positions.get(report.node);
      const node = position === undefined ? undefined : nodes[position]!;
      const running = node && runningAsReported(node, report);
      if (!running) return undefined;
      nodes[position!] = running;
    }
    return { ...known.state, status: run.status, cancelRequested: run.cancelRequested, nodes };
  }

  /** Keeps what a committed decision left a run with maps as, at the decisionSeq after its write. */
  record(runId: string, decisionSeq: number, state: RunState): void {
    // Decisions of one run commit in turn (its lock), but their records may arrive out of turn.
    if ((this.runs.get(runId)?.decisionSeq ?? -1) > decisionSeq) return;
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
 * The node as a report of its attempt finds it: known READY (claimed since, which
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

/**
 * A map not yet reached whose list's source has succeeded, its list not in
 * what is known (the source's output was this process's report, or another
 * process decided it): deciding it may reach the map, which needs its list,
 * read only with a whole run (storage/readMapLists.ts).
 */
function awaitsItsList(node: NodeState, nodes: readonly NodeState[], positions: ReadonlyMap<string, number>): boolean {
  if (!node.map || node.map.elements.length > 0 || node.map.list !== undefined) return false;
  return nodes[positions.get(node.map.source)!]?.status === Status.SUCCESS;
}
