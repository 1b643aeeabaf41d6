import { isClaimable } from '../core/claim.ts';
import { edgeIndex, type Dag } from '../core/dag.ts';
import type { NodeStateRow } from '../core/runState.ts';
import { FAILED_STATUSES, SATISFIED_STATUSES, Status, TERMINAL_STATUSES, isTerminal } from '../core/status.ts';
import { statusAtStart } from '../core/statusAtStart.ts';
import { successScope, type ScopeSource } from '../core/successScope.ts';
import type { LockedRunRow } from '../storage/lockRun.ts';
import { scopedDecisionState, type DecisionState } from './decisionState.ts';

/** A node attempt reported to have succeeded: the row its success is decided on when nothing newer is known. */
export interface ReportedSuccess {
  readonly node: string;
  readonly attempt: number;
  readonly leaseOwner?: string;
  /** set when the attempt ran unclaimed: its row must still be READY (see UnclaimedRun) */
  readonly unclaimedStart?: Date;
}

/** A child with no more parents than this is checked parent by parent; a wider join is checked against the unsatisfied nodes. */
const NARROW_JOIN = 64;

/**
 * The runs this process decided about last, as its decisions left them: the
 * rows each decision read, with its own writes applied, valid at the run's
 * decisionSeq after the write. A success of such a run is decided on them
 * without a read when they cover its scope (see core/successScope.ts): the
 * succeeding nodes, their children, a parent that keeps each child waiting
 * (or all of them satisfied), and a node that keeps the run going (or every
 * node, when it ends). In a 1 → 10,000 → 1 fan-in, the root's decision wrote
 * every middle node and the first middle success read the join, so every
 * later success is decided on what is known.
 *
 * Sound because only decisions change what a success's decision depends on —
 * whether a node is satisfied or ended, the run's status and cancel request —
 * and every decision bumps the decisionSeq, which the write checks: if another
 * process decided meanwhile, the write is refused and the success decided on
 * a fresh read. What changes without a decision (a claim; its run's mark,
 * READY → RUNNING; a lease renewed or taken over) is checked by the write's own conditions on
 * the succeeding rows, which are taken from the reports when not known here.
 */
export class KnownRunStates {
  private readonly runs = new Map<string, KnownRun>();
  /** How many node rows all known runs hold together. */
  private rows = 0;

  /**
   * At most `capacity` runs and `maxRows` node rows are kept (a 10,000-node
   * run is 10,000): past either, the runs decided about longest ago go first.
   */
  constructor(
    private readonly capacity = 10_000,
    private readonly maxRows = 250_000,
  ) {}

  /** The state to decide these successes of a run on, if what is known covers their scope (see core/successScope.ts). */
  successState(runId: string, successes: readonly ReportedSuccess[]): DecisionState | undefined {
    const known = this.runs.get(runId);
    if (!known) return undefined;
    const succeeding = new Map<string, NodeStateRow>();
    for (const success of successes) {
      if (succeeding.has(success.node)) continue;
      const row = succeedingRow(known, success);
      if (!row) return undefined;
      succeeding.set(success.node, row);
    }
    const scope = successScope(known.dag, succeeding, known);
    if (!scope) return undefined;
    // The run may show READY or RUNNING (a claim's mark is no decision, see RunStartMarks): the write takes either.
    return scopedDecisionState(known.run, scope, known.dag);
  }

  /** Whether every node of the run is known as of `decisionSeq`: then whatever its next decision writes keeps it so. */
  knowsWhole(runId: string, decisionSeq: number): boolean {
    const known = this.runs.get(runId);
    return known !== undefined && known.run.decisionSeq === decisionSeq && known.knowsEveryNode();
  }

  /**
   * Records what a committed decision left a run as: `run` with its
   * decisionSeq after the write, the rows the decision was made on with its
   * writes applied. They add to what was known when that was as of the seq
   * the decision was made on (`seenSeq`); otherwise they replace it.
   */
  record(run: LockedRunRow, dag: Dag, rows: Iterable<NodeStateRow>, seenSeq: number): void {
    const before = this.runs.get(run.id);
    if (before && before.run.decisionSeq > run.decisionSeq) return;
    this.forget(run.id);
    // A run with maps gains rows (its elements) that no success scope names: its decisions read it whole.
    if (isTerminal(run.status) || dag.maps.size > 0) return;
    const known = before && before.run.decisionSeq === seenSeq && before.dag === dag ? before.at(run) : new KnownRun(run, dag);
    for (const row of rows) {
      known.rows.set(row.name, row);
      if (TERMINAL_STATUSES.includes(row.status)) known.open.delete(row.name);
      else known.open.add(row.name);
      if (SATISFIED_STATUSES.includes(row.status)) known.unsatisfied.delete(row.name);
      else known.unsatisfied.add(row.name);
    }
    this.runs.set(run.id, known);
    this.rows += known.rows.size;
    for (const oldest of this.runs.keys()) {
      if (oldest === run.id || (this.runs.size <= this.capacity && this.rows <= this.maxRows)) break;
      this.forget(oldest);
    }
  }

  /**
   * Records a run no decision has changed yet (decisionSeq 0), as a claim of
   * one of its nodes saw it: it is as its start inserted it, but for claims
   * (core/statusAtStart.ts). So a worker apart from the process that started
   * the run decides the run's first success without a read. A run known
   * already is left as it is known.
   */
  recordUndecided(run: LockedRunRow, dag: Dag): void {
    if (run.decisionSeq !== 0 || this.runs.has(run.id)) return;
    this.record(run, dag, dag.order.map((name) => ({ name, status: statusAtStart(dag, name, true), attempt: 1, leaseOwner: null })), 0);
  }

  /** Forgets a run: it ended, or a write about it was refused, so what is known may be stale. */
  forget(runId: string): void {
    const known = this.runs.get(runId);
    if (!known) return;
    this.runs.delete(runId);
    this.rows -= known.rows.size;
  }
}

/**
 * What this process knows of a run: its row and the node rows its decisions
 * read or wrote, all as of `run.decisionSeq`; it answers the success scope's
 * lookups (see core/successScope.ts) from them.
 */
class KnownRun implements ScopeSource {
  constructor(
    readonly run: LockedRunRow,
    readonly dag: Dag,
    readonly rows = new Map<string, NodeStateRow>(),
    /** known nodes that have not ended: where a decision looks for one that keeps the run going */
    readonly open = new Set<string>(),
    /** known nodes neither succeeded nor skipped: where a decision looks for a parent that keeps a child waiting */
    readonly unsatisfied = new Set<string>(),
  ) {}

  /** The same knowledge, as of the run row a later decision left. */
  at(run: LockedRunRow): KnownRun {
    return new KnownRun(run, this.dag, this.rows, this.open, this.unsatisfied);
  }

  row(name: string): NodeStateRow | undefined {
    return this.rows.get(name);
  }

  blocker(child: string, succeeding: ReadonlySet<string>): NodeStateRow | null | undefined {
    const parents = this.dag.parents.get(child) ?? [];
    if (parents.length > NARROW_JOIN) {
      const isParent = edgeIndex(parents);
      for (const name of this.unsatisfied) if (isParent.has(name) && !succeeding.has(name)) return this.rows.get(name)!;
    }
    let unknown = false;
    for (const parent of parents) {
      if (succeeding.has(parent)) continue;
      const row = this.rows.get(parent);
      if (!row) unknown = true;
      else if (!SATISFIED_STATUSES.includes(row.status)) return row;
    }
    return unknown ? undefined : null;
  }

  openNode(succeeding: ReadonlySet<string>): NodeStateRow | null | undefined {
    for (const name of this.open) if (!succeeding.has(name)) return this.rows.get(name)!;
    return this.knowsEveryNode() ? null : undefined;
  }

  endingRows(): readonly NodeStateRow[] | undefined {
    if (!this.knowsEveryNode()) return undefined;
    const ending: NodeStateRow[] = [];
    const failed = this.dag.order.find((name) => FAILED_STATUSES.includes(this.rows.get(name)!.status));
    if (failed) ending.push(this.rows.get(failed)!);
    const cancelled = [...this.rows.values()].find((row) => row.status === Status.CANCEL);
    if (cancelled) ending.push(cancelled);
    return ending;
  }

  knowsEveryNode(): boolean {
    return this.rows.size === this.dag.order.length;
  }
}

/**
 * The row a reported success is decided on: what is known of the node, or
 * the report itself. Undefined when the known row and the report disagree.
 */
function succeedingRow(known: KnownRun, { node, attempt, leaseOwner, unclaimedStart }: ReportedSuccess): NodeStateRow | undefined {
  const row = known.rows.get(node);
  // Known claimable on the attempt, or read afresh; a claim elsewhere since (no decision) fails the write's READY check.
  if (unclaimedStart) return row && isClaimable(row, attempt) ? row : undefined;
  // A node known only as READY was claimed since (a claim is no decision): the report tells the attempt, the write checks it.
  if (!row || row.status === Status.READY) return { name: node, status: Status.RUNNING, attempt, leaseOwner: leaseOwner ?? null };
  // A known row the report does not match would be decided as a stale report, which writes nothing and so
  // checks nothing: what is known may be what is stale (another process released or reran the node), so read.
  if (row.status === Status.RUNNING && row.attempt === attempt && (leaseOwner === undefined || row.leaseOwner === leaseOwner)) return row;
  return undefined;
}
