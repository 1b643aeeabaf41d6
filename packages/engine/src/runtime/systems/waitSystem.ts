import { uuidToShortId } from '../../core/ids.ts';
import {
  ChildWorkflowParamsSchema,
  ParkedNodeType,
  SIGNAL_NAME_PATTERN,
  childEndedEvent,
  signalEvent,
  signalNameOf,
  type ApprovalDecision,
} from '../../core/parkedNode.ts';
import type { Command, RunEvent } from '../../core/runState.ts';
import type { ChildRunRequest } from '../../handlers/childRunRequest.ts';
import { Status, isTerminal, statusName } from '../../core/status.ts';
import { FlowlineError, InvalidTransition, NodeNotFound, RunNotFound, ValidationFailed } from '../../errors.ts';
import { consumeSignal } from '../../storage/consumeSignal.ts';
import { findChildRun } from '../../storage/findChildRun.ts';
import { findParentRuns } from '../../storage/findParentRuns.ts';
import { insertChildRun, type ChildRunLink } from '../../storage/insertChildRun.ts';
import { insertSignal } from '../../storage/insertSignal.ts';
import { listRunFamily } from '../../storage/listRunFamily.ts';
import { listSignalWaiters } from '../../storage/listSignalWaiters.ts';
import { listStrandedWaits } from '../../storage/listStrandedWaits.ts';
import type { LockedRunRow } from '../../storage/lockRun.ts';
import type { NodeAttempt } from '../../storage/nodeAttempt.ts';
import { readParkedNode, type ParkedNodeRow } from '../../storage/readParkedNode.ts';
import type { RunWithNodes } from '../../storage/readRun.ts';
import { readSignalTaker } from '../../storage/readSignalTaker.ts';
import { releaseSignal } from '../../storage/releaseSignal.ts';
import type { EngineResources } from '../engineResources.ts';
import type { DecisionSystem } from './decisionSystem.ts';
import type { ParkedNodes } from './dispatchSystem.ts';
import { toRunUuid, type HistorySystem } from './historySystem.ts';
import type { StartSystem } from './startSystem.ts';

/** Who sends a signal or decides an approval, as the records show. */
export interface SignalSender {
  readonly orgId: string;
  readonly sentBy: string;
}

/** What a signal sent found: its id, and the node that took a waiting signal, if one did. */
export interface SentSignal {
  readonly signalId: number;
  readonly deliveredTo: string | null;
}

/** A run's links to the runs it started, and to the run and node that started it. */
export interface RunFamily {
  readonly parent: { readonly runId: string; readonly node: string } | null;
  readonly children: readonly { readonly runId: string; readonly node: string; readonly attempt: number }[];
}

/**
 * Waiting: the nodes that wait without a worker (core/parkedNode.ts). It
 * parks them when they come due (NODE_PARKED), keeps signals sent to runs
 * and hands each to the node waiting for its name, starts child runs and
 * ends their parents' nodes when they end, and ends parked nodes their runs
 * cancel. Every status change is a decision (DecisionSystem.transition).
 *
 * Each hand-over is looked for from both sides — when the node is parked and
 * when the signal arrives (or the child ends) — each after the other side's
 * write, so whichever comes second finds the first: nothing is lost to the
 * order they come in.
 */
export class WaitSystem implements ParkedNodes {
  constructor(
    private readonly resources: EngineResources,
    private readonly decisions: DecisionSystem,
    private readonly starts: StartSystem,
    private readonly history: HistorySystem,
  ) {}

  private get pool() {
    return this.resources.db.pool;
  }

  /** Parks due parked nodes (from dispatch: not awaited); one that fails stays READY and the reconciler parks it again. */
  park(attempts: readonly NodeAttempt[]): void {
    for (const attempt of attempts) void this.parkOne(attempt).catch((error: unknown) => this.warn(error, attempt, 'parking failed; the reconciler parks it again'));
  }

  private async parkOne({ runId, node, attempt }: NodeAttempt): Promise<void> {
    const parked = await this.decisions.transition(runId, { type: 'NODE_PARKED', node, attempt });
    if (parked.length === 0) return;
    const row = await readParkedNode(this.pool, runId, node);
    if (row?.status !== Status.RUNNING || row.attempt !== attempt) return;
    if (row.type === ParkedNodeType.WORKFLOW) await this.startChild(row, row.parameters);
    else await this.deliver(row);
  }

  /**
   * A running node's run was cancelled (from dispatch: not awaited): a child
   * run the attempt started is cancelled, and its end ends the node; a parked
   * node with no child ends CANCEL now. A node a worker holds is the worker's
   * to stop (the abort reaches it).
   */
  aborted(attempt: NodeAttempt, parked: boolean): void {
    void this.abortOne(attempt, parked).catch((error: unknown) => this.warn(error, attempt, 'waiting node not cancelled; the reconciler cancels it'));
  }

  private async abortOne(attempt: NodeAttempt, parked: boolean): Promise<void> {
    const child = await findChildRun(this.pool, attempt);
    if (child) {
      await this.decisions.transition(child.childRunId, { type: 'CANCEL' }).catch((error: unknown) => {
        if (!(error instanceof InvalidTransition)) throw error;
      });
      // A child that had ended already (its own end found the node not yet parked, or it ended as it was cancelled) ends the node now.
      const row = await readParkedNode(this.pool, attempt.runId, attempt.node);
      if (row) await this.reportChild(child, row.orgId);
      return;
    }
    if (!parked) return;
    const row = await readParkedNode(this.pool, attempt.runId, attempt.node);
    if (row?.status !== Status.RUNNING || row.attempt !== attempt.attempt) return;
    const message = 'cancelled while it waited';
    await this.decide(row, { type: 'NODE_CANCELED', node: attempt.node, attempt: attempt.attempt, outcome: { error: message, result: message } });
  }

  /**
   * Keeps a signal for a live run of the caller's org and hands it to a
   * parked node waiting for its name, if one is (else the first node to be
   * reached that waits for it takes it).
   */
  async sendSignal(id: string, name: string, payload: unknown, sender: SignalSender): Promise<SentSignal> {
    if (!SIGNAL_NAME_PATTERN.test(name)) throw new ValidationFailed(`signal name ${JSON.stringify(name)}: letters, digits, _ . - (starting with a letter or _), at most 128`);
    const runId = toRunUuid(id);
    if (!runId) throw new RunNotFound(id);
    const signalId = await insertSignal(this.pool, { runId, orgId: sender.orgId, name, payload, sentBy: sender.sentBy, now: this.resources.now() });
    if (signalId === undefined) {
      const run = await this.history.getRun(id, sender.orgId);
      throw new InvalidTransition('signal', run.statusName, `signals go to live runs; this one is ${run.statusName}`);
    }
    for (const waiter of await listSignalWaiters(this.pool, runId, name)) {
      if (await this.deliver(waiter)) return { signalId, deliveredTo: waiter.node };
    }
    // A node parked just now may have taken it from its side (see the class comment): that node is where it went.
    return { signalId, deliveredTo: await readSignalTaker(this.pool, signalId) };
  }

  /** Approves or rejects an approval node waiting for its decision: a signal of its name saying who decided, when and why. */
  async decideApproval(id: string, node: string, decision: Pick<ApprovalDecision, 'approved' | 'reason'>, sender: SignalSender): Promise<SentSignal> {
    const runId = toRunUuid(id);
    const row = runId && (await readParkedNode(this.pool, runId, node));
    if (!row || row.orgId !== sender.orgId) {
      await this.history.getRun(id, sender.orgId);
      throw new NodeNotFound(node);
    }
    const operation = decision.approved ? 'approve' : 'reject';
    if (row.type !== ParkedNodeType.APPROVAL) throw new ValidationFailed(`node ${node} is a ${row.type} node; only an approval node can be approved or rejected`);
    if (row.status !== Status.RUNNING) {
      throw new InvalidTransition(operation, statusName(row.status), `node ${node} is ${statusName(row.status)}; only an approval waiting for its decision (RUNNING) can be decided`);
    }
    const payload: ApprovalDecision = { approved: decision.approved, by: sender.sentBy, at: this.resources.now().toISOString(), ...(decision.reason ? { reason: decision.reason } : {}) };
    return this.sendSignal(id, signalNameOf({ name: node, params: row.parameters }), payload, sender);
  }

  /** A run's parent and children (native run view). */
  async family(runId: string): Promise<RunFamily> {
    const links = await listRunFamily(this.pool, runId);
    const parent = links.find((l) => l.childRunId === runId);
    return {
      parent: parent ? { runId: uuidToShortId(parent.parentRunId), node: parent.parentNode } : null,
      children: links.filter((l) => l.parentRunId === runId).map((l) => ({ runId: uuidToShortId(l.childRunId), node: l.parentNode, attempt: l.parentAttempt })),
    };
  }

  /** Runs a decision batch ended (from decisions: not awaited): where a `workflow` node started one, the node ends as it did. */
  runsEnded(runs: readonly LockedRunRow[]): void {
    const orgOf = new Map(runs.map((run) => [run.id, run.orgId]));
    void findParentRuns(this.pool, [...orgOf.keys()])
      .then(async (links) => {
        for (const link of links) await this.reportChild(link, orgOf.get(link.childRunId)!);
      })
      .catch((error: unknown) => this.resources.logger?.warn({ err: error, runIds: runs.map((run) => uuidToShortId(run.id)) }, "child runs' ends not reported to their parents"));
  }

  /**
   * Makes the hand-overs a crash lost (listStrandedWaits), for nodes waiting
   * since before `startedBefore` (the reconciler's pass); answers how many
   * nodes it looked at. Each hand-over is safe to make twice.
   */
  async resumeStranded(startedBefore: Date, limit: number): Promise<number> {
    const stranded = await listStrandedWaits(this.pool, { startedBefore, limit });
    for (const row of stranded) {
      const child = await findChildRun(this.pool, { runId: row.runId, node: row.node, attempt: row.attempt });
      if (child) await this.reportChild(child, row.orgId);
      else if (row.type === ParkedNodeType.WORKFLOW) await this.startChild(row, row.parameters);
      else await this.deliver(row);
    }
    return stranded.length;
  }

  /**
   * Takes the oldest signal of the node's name kept for its run and reports
   * it; a signal taken for an attempt that had ended meanwhile is given back.
   * Answers whether the node took it.
   */
  private async deliver(row: ParkedNodeRow): Promise<boolean> {
    const name = signalNameOf({ name: row.node, params: row.parameters });
    const signal = await consumeSignal(this.pool, { runId: row.runId, name, node: row.node, attempt: row.attempt, now: this.resources.now() });
    if (!signal) return false;
    const decided = await this.decide(row, signalEvent(row, signal));
    if (!decided) await releaseSignal(this.pool, { id: signal.id, node: row.node, attempt: row.attempt });
    return decided;
  }

  /**
   * A handler's `return ctx.startChild(…)` (through its worker's port): the
   * child run is started and linked first, then the node's lease released
   * (NODE_DETACHED). Whichever way round the child's end and the release
   * come, the node ends as the child does: the child's end is reported
   * without a lease, which counts while the node is RUNNING on its attempt,
   * held or not.
   */
  async detachToChild({ runId, node, attempt, leaseOwner }: NodeAttempt & { readonly leaseOwner: string }, request: ChildRunRequest): Promise<readonly Command[]> {
    const row = await readParkedNode(this.pool, runId, node);
    if (row?.status !== Status.RUNNING || row.attempt !== attempt) return [];
    await this.startChild(row, request);
    return this.decisions.transition(runId, { type: 'NODE_DETACHED', node, attempt, leaseOwner }, { orgId: row.orgId });
  }

  /**
   * Starts the child run a node waits for (`params`: a `workflow` node's, or
   * what its handler asked for), keyed by the node's attempt (a repeat finds
   * the same child), and links it; a child that cannot start (unknown
   * workflow, refused input) fails the node.
   */
  private async startChild(row: ParkedNodeRow, request: unknown): Promise<void> {
    const params = ChildWorkflowParamsSchema.safeParse(request);
    const fail = (error: string) => this.decide(row, { type: 'NODE_FAILED', node: row.node, attempt: row.attempt, failure: 'FAIL', outcome: { error, result: error } });
    if (!params.success) return void (await fail(`params: ${params.error.message}`));
    const parent = uuidToShortId(row.runId);
    let child: RunWithNodes;
    try {
      ({ run: child } = await this.starts.startRun({
        workflow: params.data.workflow,
        orgId: row.orgId,
        input: params.data.input,
        idempotencyKey: `child.${parent}.${row.node}.${row.attempt}`,
        owner: `run ${parent} node ${row.node}`,
      }));
    } catch (error) {
      if (!(error instanceof FlowlineError)) throw error;
      return void (await fail(`child run of ${params.data.workflow} not started: ${error.message}`));
    }
    const link: ChildRunLink = { parentRunId: row.runId, parentNode: row.node, parentAttempt: row.attempt, childRunId: child.uuid };
    await insertChildRun(this.pool, link);
    // Linked after it started: a child that ended before its link was written found no parent to tell.
    await this.reportChild(link, row.orgId);
  }

  /** Reports a linked child's end to its parent's node, if the child has ended. */
  private async reportChild(link: ChildRunLink, orgId: string): Promise<void> {
    const child = await this.history.readRun(orgId, link.childRunId);
    if (!child || !isTerminal(child.status)) return;
    const dag = await this.resources.definitions.dag(child.definitionId, child.definitionVersion);
    const last = child.nodes.filter((n) => (dag.children.get(n.name) ?? []).length === 0);
    const output = last.length === 1 ? last[0]!.output : Object.fromEntries(last.map((n) => [n.name, n.output]));
    const error = child.nodes.find((n) => n.error)?.error ?? null;
    await this.decisions.transition(link.parentRunId, childEndedEvent({ node: link.parentNode, attempt: link.parentAttempt }, { id: child.id, status: child.status, output, error }), {
      orgId,
    });
  }

  /** Decides an event about a parked node; answers whether it changed anything (no: the node had moved on, a race lost). */
  private async decide(row: ParkedNodeRow, event: RunEvent): Promise<boolean> {
    return (await this.decisions.transition(row.runId, event, { orgId: row.orgId })).length > 0;
  }

  private warn(error: unknown, { runId, node, attempt }: NodeAttempt, message: string): void {
    this.resources.logger?.warn({ err: error, runId: uuidToShortId(runId), node, attempt }, message);
  }
}
