import type { Dag } from '../../core/dag.ts';
import { uuidToShortId } from '../../core/ids.ts';
import { parentsOf, specOf } from '../../core/mapElements.ts';
import { Status } from '../../core/status.ts';
import { publishAbort } from '../../queue/abortChannel.ts';
import { QueueName } from '../../queue/keys.ts';
import { queueOf, queuesServing } from '../../queue/nodeRouting.ts';
import type { NodeDispatch } from '../../queue/nodeQueue.ts';
import type { AppliedCommands, ReleaseClaims, ReleaseRequest, RunDecision } from '../../storage/applyCommands.ts';
import type { ClaimedNode } from '../../storage/claimNodes.ts';
import type { NodeAttempt } from '../../storage/nodeAttempt.ts';
import { AttemptMap } from '../attemptMap.ts';
import type { ClaimedAttempt } from '../claimedAttempt.ts';
import type { EngineResources } from '../engineResources.ts';
import type { LocalAttempt, LocalLane, SlotReservation } from '../localLane.ts';
import type { ReportedOutputs } from '../reportedOutputs.ts';

/** The releases of a decision due now, and the local lane's slots held for them: the first `reservation.held` are claimed at release. */
export interface ReleaseBooking {
  readonly reservation: SlotReservation;
  /** what the decision's write claims and answers for (applyCommands' `claims`) */
  readonly claims: ReleaseClaims;
}

/**
 * Where parked nodes (core/parkedNode.ts) go instead of a queue: the
 * WaitSystem, attached once the systems are made. Neither call is awaited:
 * each decides on its own, after the decision that asked for it.
 */
export interface ParkedNodes {
  park(attempts: readonly NodeAttempt[]): void;
  /** a running node's run was cancelled: `parked`, no worker holds it; either way, a child run it started is cancelled */
  aborted(attempt: NodeAttempt, parked: boolean): void;
}

/** Without a local lane, every due attempt goes to Redis. */
const NO_LANE: SlotReservation = { held: 0, queued: 0, fill: (_claimed, due) => due, cancel: () => {} };

/**
 * Dispatch: hands what starts and decisions make runnable to a worker of this
 * process (the local lane) and the rest to Redis, and publishes the aborts
 * decisions ask for. It owns the engine's side of the local lane: a decision
 * books slots before its write (`book`), and after commit hands the lane what
 * was claimed into them and what else is due (`afterDecision`).
 *
 * Dispatch failures are logged, not thrown: the rows already say READY, and
 * the reconciler re-dispatches READY nodes whose jobs never reached Redis.
 */
export class DispatchSystem {
  private lane: LocalLane | undefined;
  private parked: ParkedNodes | undefined;

  /** The queues this process's handlers serve, and the registry version they were worked out for. */
  private served: { readonly version: number; readonly queues: ReadonlySet<string> } | undefined;

  constructor(private readonly resources: EngineResources) {}

  /** The queues of the attempts this process can run (a lane may take only those). */
  private queuesRunHere(): ReadonlySet<string> {
    const { registry } = this.resources;
    if (this.served?.version !== registry.version) {
      this.served = { version: registry.version, queues: new Set(queuesServing(registry.served().map((type) => type.name))) };
    }
    return this.served.queues;
  }

  /** Lets a worker in this process take due attempts without a queue round trip; `undefined` stops it. */
  attach(lane: LocalLane | undefined): void {
    this.lane = lane;
  }

  /** Lets the WaitSystem take the parked nodes this process dispatches or aborts. */
  attachParking(parked: ParkedNodes): void {
    this.parked = parked;
  }

  /** The lease owner of nodes claimed for this process's lane, if it has one. */
  get laneOwner(): string | undefined {
    return this.lane?.leaseOwner;
  }

  /**
   * Before a decision's write: its releases due now (WAIT → READY, enqueued
   * to run now), and as many of the lane's free slots held for them as it has.
   */
  book(decisions: readonly RunDecision[], dags: ReadonlyMap<string, Dag>, reported: ReportedOutputs, now: Date): ReleaseBooking {
    const lane = this.lane;
    if (!lane) return { reservation: NO_LANE, claims: { leaseOwner: '', leaseMs: 0, attempts: [] } };
    const due = dueReleases(decisions, dags, reported, now, this.queuesRunHere());
    const reservation: SlotReservation =
      due.length > 0 ? lane.reserve(due.length) : { held: 0, queued: 0, fill: (_, rest) => (rest.length > 0 ? lane.take(rest) : rest), cancel: () => {} };
    const { held, queued } = reservation;
    return {
      reservation,
      // As many more as the lane has room for are handed to it with their facts: it may start them before their claim.
      claims: { leaseOwner: lane.leaseOwner, leaseMs: lane.leaseMs, attempts: due.slice(0, held), unclaimed: due.slice(held, held + queued) },
    };
  }

  /**
   * The effects of a committed decision: the nodes claimed at release run in
   * the held slots, every other enqueued attempt goes to the lane or Redis —
   * each with its parents, read from the run's DAG, and their outputs when all
   * of them were reported in these decisions, or with its facts when the write
   * answered them — and aborts and withdrawals are published.
   */
  async afterDecision(
    decisions: readonly RunDecision[],
    dags: ReadonlyMap<string, Dag>,
    reported: ReportedOutputs,
    { reservation }: ReleaseBooking,
    written: AppliedCommands,
    /** the runs' priorities, by run, where not 0 */
    priorities: ReadonlyMap<string, number> = new Map(),
  ): Promise<void> {
    const claimedNow = new AttemptMap<true>();
    for (const c of written.claimed) claimedNow.set(c.runId, c.name, c.attempt, true);
    const facts = new AttemptMap<ClaimedAttempt>();
    for (const attempt of claimedAttempts(written.unclaimed, dags, reported)) facts.set(attempt.claimed.runId, attempt.claimed.name, attempt.claimed.attempt, attempt);
    const jobs: LocalAttempt[] = [];
    for (const { runId, commands } of decisions) {
      const dag = dags.get(runId)!;
      const priority = priorities.get(runId);
      for (const command of commands) {
        if (command.type !== 'ENQUEUE' || claimedNow.get(runId, command.node, command.attempt)) continue;
        const { node, attempt, runAt } = command;
        const parents = parentsOf(dag, node);
        // An attempt with its facts has its parents' outputs in them already (copied once, not twice).
        const known = facts.get(runId, node, attempt);
        const outputs = known
          ? known.parents
          : parents.every((p) => reported.has(runId, p)) ? Object.fromEntries(parents.map((p) => [p, reported.copy(runId, p)])) : undefined;
        const queue = queueOf(specOf(dag, node)!);
        jobs.push({ runId, node, attempt, queue, runAt, parents, ...(priority ? { priority } : {}), ...(outputs ? { parentOutputs: outputs } : {}), ...(known ? { facts: known, handed: true } : {}) });
      }
    }
    await this.dispatch(jobs, (due) => reservation.fill(claimedAttempts(written.claimed, dags, reported), due));
    for (const { runId, commands } of decisions) await this.publishAborts(runId, commands, dags.get(runId)!);
  }

  /** Dispatches due attempts outside a decision (the roots of runs just started): one bulk add for what the lane does not take. */
  dispatchDue(attempts: readonly LocalAttempt[]): Promise<void> {
    const lane = this.lane;
    return this.dispatch(attempts, (due) => (lane && due.length > 0 ? lane.take(due) : due));
  }

  /** Queues attempts in Redis for every worker (a stopping worker's local queue, what waited there too long): each alone, see NodeQueue.dispatch. */
  async requeue(attempts: readonly NodeDispatch[]): Promise<void> {
    await this.resources.nodeQueue.dispatch(attempts, this.resources.now(), false);
  }

  /**
   * Offers the attempts due now that this process can run (their queue is
   * one its worker consumes, see nodeRouting.ts) to `local`; what it leaves,
   * and the rest, goes to Redis in one bulk add, each to its queue.
   */
  private async dispatch(all: readonly LocalAttempt[], local: (due: readonly LocalAttempt[]) => readonly LocalAttempt[]): Promise<void> {
    const jobs = this.withoutParked(all);
    const now = this.resources.now();
    const here = this.queuesRunHere();
    const isLocal = (job: LocalAttempt) => job.runAt.getTime() <= now.getTime() && here.has(job.queue);
    const due = jobs.filter(isLocal);
    const leftOver = new Set(local(due));
    const queued = leftOver.size === due.length ? jobs : jobs.filter((job) => !isLocal(job) || leftOver.has(job));
    try {
      await this.resources.nodeQueue.dispatch(queued, now);
    } catch (error) {
      this.resources.logger?.error({ err: error }, 'dispatch to Redis failed; the reconciler will re-dispatch');
    }
  }

  /** Hands the parked nodes among `jobs` to the WaitSystem; answers the rest, which go to workers. */
  withoutParked<T extends NodeAttempt & { readonly queue: string }>(jobs: readonly T[]): readonly T[] {
    if (!jobs.some((job) => job.queue === QueueName.PARKED)) return jobs;
    this.parked?.park(jobs.filter((job) => job.queue === QueueName.PARKED));
    return jobs.filter((job) => job.queue !== QueueName.PARKED);
  }

  /**
   * Aborts the running attempts a decision asks to, and withdraws READY
   * attempts it moved off READY (they may be waiting or running unclaimed in
   * a lane); a parked node's abort goes to the WaitSystem only, no worker holds it.
   */
  private async publishAborts(runId: string, commands: RunDecision['commands'], dag: Dag): Promise<void> {
    const { redis, queuePrefix, logger } = this.resources;
    if (commands.some((c) => c.type === 'SET_NODE' && c.from === Status.READY && c.to !== Status.SUCCESS)) {
      await publishAbort(redis, queuePrefix, { runId, readyBefore: this.resources.now().getTime() }).catch(
        (error: unknown) => logger?.warn({ err: error, runId: uuidToShortId(runId) }, 'withdrawal of READY attempts not published'),
      );
    }
    for (const command of commands) {
      if (command.type !== 'ABORT') continue;
      // A code node that handed its wait to a child run (ctx.startChild) is RUNNING with no worker too: every abort is told.
      const parked = queueOf(specOf(dag, command.node)!) === QueueName.PARKED;
      this.parked?.aborted({ runId, node: command.node, attempt: command.attempt }, parked);
      if (parked) continue;
      await publishAbort(redis, queuePrefix, { runId, node: command.node, attempt: command.attempt }).catch(
        (error: unknown) => logger?.warn({ err: error, runId: uuidToShortId(runId) }, 'abort not published'),
      );
    }
  }
}

/**
 * The nodes `decisions` release (WAIT → READY) and enqueue to run now, in
 * decision order, that this process can run (`here`: the queues its worker
 * consumes): those a local worker can claim in the decisions' own write.
 * Retries (which wait their backoff) and re-dispatches of READY nodes go
 * through the queue as before. `parents` lists the parents whose outputs the
 * claim reads from Postgres: the others succeed in these very decisions.
 */
function dueReleases(
  decisions: readonly RunDecision[],
  dags: ReadonlyMap<string, Dag>,
  reported: ReportedOutputs,
  now: Date,
  here: ReadonlySet<string>,
): ReleaseRequest[] {
  const due: ReleaseRequest[] = [];
  for (const { runId, commands } of decisions) {
    const dag = dags.get(runId)!;
    // Not in a run with maps: a map's joined output and an element's item are written after the
    // release statement (DecisionSystem's map commands), so their claims read them after commit.
    if (dag.maps.size > 0) continue;
    const released = new Set<string>();
    for (const c of commands) if (c.type === 'SET_NODE' && c.from === Status.WAIT && c.to === Status.READY) released.add(`${c.node}\0${c.attempt}`);
    for (const command of commands) {
      if (command.type !== 'ENQUEUE' || command.runAt.getTime() > now.getTime()) continue;
      if (!released.has(`${command.node}\0${command.attempt}`)) continue;
      const spec = dag.nodes.get(command.node)!;
      // Only what a worker of this process can run is claimed for it, or handed to it.
      if (!here.has(queueOf(spec))) continue;
      const { type, params } = spec;
      const parents = dag.parents.get(command.node) ?? [];
      due.push({ runId, node: command.node, attempt: command.attempt, type, parameters: params, parents: parents.filter((p) => !reported.has(runId, p)) });
    }
  }
  return due;
}

/** Released nodes' facts (claimed, or to start before their claim) as the lane runs them: with their parents' outputs, reported or read. */
function claimedAttempts(nodes: readonly ClaimedNode[], dags: ReadonlyMap<string, Dag>, reported: ReportedOutputs): ClaimedAttempt[] {
  return nodes.map((node) => {
    const dag = dags.get(node.runId)!;
    const read = node.parentOutputs ?? {};
    const parents: Record<string, unknown> = {};
    for (const p of parentsOf(dag, node.name)) parents[p] = reported.copy(node.runId, p) ?? read[p] ?? null;
    return { claimed: node, dag, parents };
  });
}
