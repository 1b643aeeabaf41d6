import { edgeIndex, type Dag } from '../core/dag.ts';
import { FAILED_STATUSES, SATISFIED_STATUSES, Status, TERMINAL_STATUSES, isTerminal } from '../core/status.ts';
import type { LockedRunRow, NodeStateRow } from '../storage/lockRun.ts';
import { scopedDecisionState, type DecisionState } from './decisionState.ts';

/** A node attempt reported to have succeeded: the row its success is decided on when nothing newer is known. */
export interface ReportedSuccess {
  readonly node: string;
  readonly attempt: number;
  readonly leaseOwner?: string;
  /** set when the attempt ran unclaimed: its row must still be READY (see UnclaimedRun) */
  readonly unclaimedStart?: Date;
}

/** What this process knows of a run: its row and the node rows its decisions read or wrote, all as of `run.decisionSeq`. */
interface KnownRun {
  readonly run: LockedRunRow;
  readonly dag: Dag;
  readonly rows: Map<string, NodeStateRow>;
  /** known nodes that have not ended: where a decision looks for one that keeps the run going */
  readonly open: Set<string>;
  /** known nodes neither succeeded nor skipped: where a decision looks for a parent that keeps a child waiting */
  readonly unsatisfied: Set<string>;
}

/** A child with no more parents than this is checked parent by parent; a wider join is checked against the unsatisfied nodes. */
const NARROW_JOIN = 64;

/**
 * The runs this process decided about last, as its decisions left them: the
 * rows each decision read, with its own writes applied, valid at the run's
 * decisionSeq after the write. A success of such a run is decided on them
 * without a read when they cover its scope (see loadSuccessScopes): the
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
 * a fresh read. What changes without a decision (a claim, READY → RUNNING; a
 * lease renewed or taken over) is checked by the write's own conditions on
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

  /** The state to decide these successes of a run on, if what is known covers them. */
  successState(runId: string, successes: readonly ReportedSuccess[]): DecisionState | undefined {
    const known = this.runs.get(runId);
    if (!known) return undefined;
    const { dag, rows: knownRows } = known;
    const scope = new Map<string, NodeStateRow>();
    for (const { node, attempt, leaseOwner, unclaimedStart } of successes) {
      if (scope.has(node)) continue;
      const row = knownRows.get(node);
      if (unclaimedStart) {
        // Known READY on the attempt, or read afresh; a claim elsewhere since (no decision) fails the write's READY check.
        if (row?.status !== Status.READY || row.attempt !== attempt) return undefined;
        scope.set(node, row);
        continue;
      }
      // A node known only as READY was claimed since (a claim is no decision): the report tells the attempt, the write checks it.
      if (!row || row.status === Status.READY) scope.set(node, { name: node, status: Status.RUNNING, attempt, leaseOwner: leaseOwner ?? null });
      // A known row the report does not match would be decided as a stale report, which writes nothing and so
      // checks nothing: what is known may be what is stale (another process released or reran the node), so read.
      else if (row.status === Status.RUNNING && row.attempt === attempt && (leaseOwner === undefined || row.leaseOwner === leaseOwner)) scope.set(node, row);
      else return undefined;
    }
    const succeeding = new Set(scope.keys());
    for (const node of succeeding) {
      for (const child of dag.children.get(node) ?? []) {
        if (scope.has(child)) continue;
        const row = knownRows.get(child);
        if (!row) return undefined;
        scope.set(child, row);
        const blocker = blockerOf(known, child, succeeding);
        if (blocker === undefined) return undefined;
        if (blocker) scope.set(blocker.name, blocker);
      }
    }
    const open = firstNotIn(known.open, succeeding);
    if (open) scope.set(open, knownRows.get(open)!);
    else if (knownRows.size === dag.order.length) for (const row of endingRows(known)) scope.set(row.name, row);
    else return undefined;
    // A success means its node was claimed, and the claim moved a READY run to RUNNING (a claim is no decision).
    const run = known.run.status === Status.READY ? { ...known.run, status: Status.RUNNING } : known.run;
    return scopedDecisionState(run, [...scope.values()], dag);
  }

  /** Whether every node of the run is known as of `decisionSeq`: then whatever its next decision writes keeps it so. */
  knowsWhole(runId: string, decisionSeq: number): boolean {
    const known = this.runs.get(runId);
    return known !== undefined && known.run.decisionSeq === decisionSeq && known.rows.size === known.dag.order.length;
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
    if (isTerminal(run.status)) return;
    const known: KnownRun =
      before && before.run.decisionSeq === seenSeq && before.dag === dag
        ? { ...before, run }
        : { run, dag, rows: new Map(), open: new Set(), unsatisfied: new Set() };
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

  /** Forgets a run: it ended, or a write about it was refused, so what is known may be stale. */
  forget(runId: string): void {
    const known = this.runs.get(runId);
    if (!known) return;
    this.runs.delete(runId);
    this.rows -= known.rows.size;
  }
}

/**
 * A known parent of `child`, other than the succeeding nodes, that is not
 * satisfied (it keeps the child waiting); null when every other parent is
 * known satisfied (the child is released); undefined when that is not known.
 */
function blockerOf(known: KnownRun, child: string, succeeding: ReadonlySet<string>): NodeStateRow | null | undefined {
  const parents = known.dag.parents.get(child) ?? [];
  if (parents.length > NARROW_JOIN) {
    const isParent = edgeIndex(parents);
    for (const name of known.unsatisfied) if (isParent.has(name) && !succeeding.has(name)) return known.rows.get(name)!;
  }
  let unknown = false;
  for (const parent of parents) {
    if (succeeding.has(parent)) continue;
    const row = known.rows.get(parent);
    if (!row) unknown = true;
    else if (!SATISFIED_STATUSES.includes(row.status)) return row;
  }
  return unknown ? undefined : null;
}

/** The rows that decide how a run whose every node has ended ends: the first failed node by position, and one cancelled node. */
function endingRows(known: KnownRun): NodeStateRow[] {
  const ending: NodeStateRow[] = [];
  const failed = known.dag.order.find((name) => FAILED_STATUSES.includes(known.rows.get(name)!.status));
  if (failed) ending.push(known.rows.get(failed)!);
  const cancelled = [...known.rows.values()].find((row) => row.status === Status.CANCEL);
  if (cancelled) ending.push(cancelled);
  return ending;
}

function firstNotIn(names: ReadonlySet<string>, excluded: ReadonlySet<string>): string | undefined {
  for (const name of names) if (!excluded.has(name)) return name;
  return undefined;
}
