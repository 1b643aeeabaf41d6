import { ClaimWay } from '../../core/claim.ts';
import type { Dag } from '../../core/dag.ts';
import { decideInTurn } from '../../core/decideInTurn.ts';
import { uuidToShortId } from '../../core/ids.ts';
import { elementPosition } from '../../core/mapElements.ts';
import type { Command, NodeStateRow, RunEvent } from '../../core/runState.ts';
import { Status, isTerminal, statusName } from '../../core/status.ts';
import { successScopeRequest, type SuccessScopeRequest } from '../../core/successScope.ts';
import { RunNotFound } from '../../errors.ts';
import { applyCommands, StaleDecision, type AppliedCommands, type ReleaseRequest, type RunDecision } from '../../storage/applyCommands.ts';
import type { Queryable } from '../../storage/database.ts';
import { insertMapElements, type MapElementsInsert } from '../../storage/insertMapElements.ts';
import { joinMapOutputs } from '../../storage/joinMapOutputs.ts';
import type { LockedRunRow } from '../../storage/lockRun.ts';
import { isRetryableTransactionError } from '../../storage/sqlState.ts';
import { emitRunSpan } from '../../tracing/runTracing.ts';
import type { DecisionEvent, DecisionState, RunDefinitionRef } from '../decisionState.ts';
import type { EngineResources } from '../engineResources.ts';
import { GroupCommit } from '../groupCommit.ts';
import { ReportedOutputs } from '../reportedOutputs.ts';
import { DecisionStates, StateSource, decidableUnlocked } from './decisionStates.ts';
import type { AdmissionSystem } from './admissionSystem.ts';
import type { DispatchSystem, ReleaseBooking } from './dispatchSystem.ts';

/**
 * What `transition` may know besides the event: `orgId` limits it to a run of
 * that org (an operator's request); `definition`, the run's pinned definition
 * version (a worker's claim read it), lets a success be decided without locking the run.
 */
export interface TransitionContext {
  readonly orgId?: string;
  readonly definition?: RunDefinitionRef;
}

/** An event to decide about a run. */
interface RunEventItem extends DecisionEvent, TransitionContext {}

/** A batch decided: one command list per event, the decisions to write, and the runs it ends. */
interface Decided {
  readonly perEvent: (readonly Command[])[];
  readonly decisions: RunDecision[];
  readonly dags: ReadonlyMap<string, Dag>;
  readonly ends: readonly RunEnding[];
  readonly now: Date;
}

/** A decision that ended a run: the run as it was read, its final status and when. */
interface RunEnding {
  readonly runUuid: string;
  readonly run: LockedRunRow;
  readonly status: Status;
  readonly endTime: Date;
}

/** How many times a lone event is decided again while the state it was decided on keeps moving. */
const MAX_DECISION_ATTEMPTS = 20;

/**
 * Deciding: applies events to runs through the pure core. Each batch of
 * events takes its runs' state (DecisionStates: known, read unlocked, or read
 * locked), decides each event on the state the ones before it leave
 * (decideInTurn), writes every change of the batch in one statement
 * (applyCommands) — claiming for this process's worker the nodes it releases
 * (DispatchSystem.book) — and, after commit, dispatches and aborts
 * (DispatchSystem.afterDecision) and records the runs it ended.
 *
 * Node successes reported by workers without an org are group-committed:
 * those arriving while a batch is being decided are decided together next,
 * across runs (see GroupCommit); every other event goes alone. A write that
 * finds the state moved (StaleDecision: a claim, another decision) is a race
 * lost, which is normal: it is counted, logged at debug, and the event is
 * decided again the locked way.
 */
export class DecisionSystem {
  /** Node successes reported in this process, decided in group-committed batches across runs. */
  private readonly successes = new GroupCommit<RunEventItem, readonly Command[]>((items) => this.decideSettled(items));
  private readonly states: DecisionStates;
  /** Told of the runs each committed decision batch ended (the WaitSystem: a child run's end ends its parent's node). */
  private runsEnded: ((runs: readonly LockedRunRow[]) => void) | undefined;

  constructor(
    private readonly resources: EngineResources,
    private readonly dispatch: DispatchSystem,
    private readonly admission: AdmissionSystem,
  ) {
    this.states = new DecisionStates(resources);
  }

  /** Calls `listener` after each committed decision batch that ends runs, with those runs (not awaited). */
  onRunsEnded(listener: (runs: readonly LockedRunRow[]) => void): void {
    this.runsEnded = listener;
  }

  /** Applies one event to a run; answers the commands decided (none when the event lost a race). */
  transition(runUuid: string, event: RunEvent, context: TransitionContext = {}): Promise<readonly Command[]> {
    const item: RunEventItem = { runUuid, event, ...context };
    if (event.type === 'NODE_SUCCEEDED' && context.orgId === undefined) return this.successes.submit(item);
    return this.decideAlone(item);
  }

  /**
   * Decides a batch together. If that fails (one run's state moved, one run
   * was deleted), the batch is split — per run, then per event — so one
   * event's failure is only its own; only a lone event is retried.
   */
  private async decideSettled(items: readonly RunEventItem[]): Promise<PromiseSettledResult<readonly Command[]>[]> {
    if (items.length === 1) {
      return [await this.decideAlone(items[0]!).then(
        (value) => ({ status: 'fulfilled', value }) as const,
        (reason: unknown) => ({ status: 'rejected', reason }) as const,
      )];
    }
    try {
      return (await this.decideBatch(items, decidableUnlocked(items))).map((value) => ({ status: 'fulfilled', value }) as const);
    } catch {
      const runs = new Set(items.map((item) => item.runUuid));
      const parts = runs.size > 1 ? [...runs].map((run) => items.filter((item) => item.runUuid === run)) : items.map((item) => [item]);
      const settled = new Map<RunEventItem, PromiseSettledResult<readonly Command[]>>();
      await Promise.all(parts.map(async (part) => (await this.decideSettled(part)).forEach((result, i) => settled.set(part[i]!, result))));
      return items.map((item) => settled.get(item)!);
    }
  }

  /** Decides one event: unlocked first if it can be, then locked, decided again while the state keeps moving. */
  private async decideAlone(item: RunEventItem): Promise<readonly Command[]> {
    for (let attempt = 1; ; attempt++) {
      const unlocked = attempt === 1 && decidableUnlocked([item]);
      try {
        return (await this.decideBatch([item], unlocked))[0]!;
      } catch (error) {
        // Whatever stopped an unlocked decision, the locked way reads the run afresh (or finds it gone).
        const retryable = unlocked || error instanceof StaleDecision || isRetryableTransactionError(error);
        if (!retryable || attempt >= MAX_DECISION_ATTEMPTS) throw error;
      }
    }
  }

  /**
   * Decides events — of one run or of many — together, writes them in one
   * statement, then carries them out. One command list per event.
   */
  private async decideBatch(items: readonly RunEventItem[], unlocked: boolean): Promise<(readonly Command[])[]> {
    const reported = new ReportedOutputs(items);
    // Slots booked for the batch's releases, freed if the write does not commit.
    let booking: ReleaseBooking | undefined;
    let outcome: { decided: Decided; written: AppliedCommands; priorities: ReadonlyMap<string, number>; states: ReadonlyMap<string, DecisionState> };
    try {
      outcome = await this.states.decideOn(items, unlocked, async (db, states, source) => {
        const decided = await this.decide(db, items, states);
        // Its decisions write these runs (and start any still READY): a mark now would move a row under the write (RunStartMarks).
        this.resources.runStarts.decided(decided.decisions.flatMap((decision) => (decision.commands.length > 0 ? [decision.runId] : [])));
        booking = this.dispatch.book(decided.decisions, decided.dags, reported, decided.now);
        const written = await this.write(db, decided, states, booking, source);
        return { decided, written, priorities: prioritiesOf(states), states };
      });
    } catch (error) {
      booking?.reservation.cancel();
      for (const { runUuid } of items) {
        this.resources.known.forget(runUuid);
        this.resources.knownMaps.forget(runUuid);
      }
      throw error;
    }
    const { decided, written } = outcome;
    this.recordKnownMaps(outcome.states, decided.dags, written);
    await this.dispatch.afterDecision(decided.decisions, decided.dags, reported, booking!, written, outcome.priorities);
    for (const ending of decided.ends) this.recordRunEnd(ending);
    if (decided.ends.length > 0) {
      this.runsEnded?.(decided.ends.map((ending) => ending.run));
      await this.admitAfter(decided.ends);
    }
    return decided.perEvent;
  }

  /** Decides each run's events in turn on its state; refuses an event about a run not found or not of the caller's org. */
  private async decide(db: Queryable, items: readonly RunEventItem[], states: Map<string, DecisionState>): Promise<Decided> {
    const dags = new Map<string, Dag>();
    for (const [runUuid, { run }] of states) dags.set(runUuid, await this.resources.definitions.dag(run.definitionId, run.definitionVersion, db));
    const now = this.resources.now();
    const perEvent = new Array<readonly Command[]>(items.length);
    const ends: RunEnding[] = [];
    for (const [runUuid, indexes] of indexesByRun(items)) {
      const loaded = states.get(runUuid);
      if (!loaded || indexes.some((i) => items[i]!.orgId !== undefined && loaded.run.orgId !== items[i]!.orgId)) throw new RunNotFound(uuidToShortId(runUuid));
      const decided = decideInTurn(loaded.state, indexes.map((i) => items[i]!.event), now);
      // The state the events leave, which recordKnown (or, for a run with maps, recordKnownMaps) keeps.
      states.set(runUuid, { ...loaded, state: decided.state });
      decided.commands.forEach((commands, k) => {
        perEvent[indexes[k]!] = commands;
        const end = commands.find((c) => c.type === 'SET_RUN' && isTerminal(c.to));
        if (end?.type === 'SET_RUN') ends.push({ runUuid, run: loaded.run, status: end.to, endTime: now });
      });
    }
    const decisions = items.map((item, i) => ({ runId: item.runUuid, commands: perEvent[i]!, decisionSeq: states.get(item.runUuid)!.run.decisionSeq }));
    return { perEvent, decisions, dags, ends, now };
  }

  /**
   * Writes a batch's decisions (applyCommands), with the claims at release
   * booked for this process's lane and, for a chain step claimed here whose
   * run is not known whole, its success scope read ahead; then keeps what the
   * write left the runs as (KnownRunStates).
   */
  private async write(
    db: Queryable,
    decided: Decided,
    states: ReadonlyMap<string, DecisionState>,
    booking: ReleaseBooking,
    source: StateSource,
  ): Promise<AppliedCommands> {
    const { known } = this.resources;
    // A run known whole (one this process started) needs nothing read ahead: its next step's scope is known already.
    const readAhead: SuccessScopeRequest[] = nextStepsToRead(booking.claims.attempts)
      .filter((claim) => !known.knowsWhole(claim.runId, states.get(claim.runId)!.run.decisionSeq))
      .map((claim) => successScopeRequest(claim.runId, decided.dags.get(claim.runId)!, [claim.node]));
    const written = await applyCommands(db, decided.decisions, decided.now, booking.claims, readAhead).catch((error: unknown) => {
      // A race lost: normal under contention, and decided again (see decideSettled, decideAlone).
      if (error instanceof StaleDecision) {
        this.resources.metrics.staleDecisions.inc({ source });
        this.resources.logger?.debug({ source, events: decided.perEvent.length, reason: error.message }, 'decision found the state moved; deciding again');
      }
      throw error;
    });
    await writeMapCommands(db, decided);
    this.recordKnown(states, decided.dags, written, booking.claims.leaseOwner);
    this.countClaims(decided.decisions, written);
    return written;
  }

  /**
   * Keeps what a committed write left each run of a decision as (see
   * KnownRunStates): the rows it was decided on with its writes applied —
   * the nodes claimed in it RUNNING under this process's lane — and the rows
   * read ahead for the chain steps it claimed, at the decisionSeq after the write.
   */
  private recordKnown(states: ReadonlyMap<string, DecisionState>, dags: ReadonlyMap<string, Dag>, written: AppliedCommands, laneOwner: string): void {
    for (const [runUuid, { run, state }] of states) {
      // A run with maps is kept whole, once its decision has committed (recordKnownMaps).
      if (dags.get(runUuid)!.maps.size > 0) continue;
      const rows: NodeStateRow[] = [...(written.nextScope.get(runUuid) ?? [])];
      for (const { name, status, attempt, leaseOwner, skipRequested } of state.nodes) rows.push({ name, status, attempt, leaseOwner: leaseOwner ?? null, skipRequested });
      for (const node of written.claimed) {
        if (node.runId === runUuid) rows.push({ name: node.name, status: Status.RUNNING, attempt: node.attempt, leaseOwner: laneOwner });
      }
      const after = { ...run, status: state.status, cancelRequested: state.cancelRequested, decisionSeq: run.decisionSeq + (written.runsWritten.has(runUuid) ? 1 : 0) };
      this.resources.known.record(after, dags.get(runUuid)!, rows, run.decisionSeq);
    }
  }

  /**
   * Keeps what a committed decision left each run with maps as, whole (see
   * KnownMapRuns), at the decisionSeq after the write. Only after the commit:
   * a state kept for a write that then did not commit could match the seq of
   * another process's decision.
   */
  private recordKnownMaps(states: ReadonlyMap<string, DecisionState>, dags: ReadonlyMap<string, Dag>, written: AppliedCommands): void {
    for (const [runUuid, { run, state }] of states) {
      if (dags.get(runUuid)!.maps.size === 0) continue;
      if (isTerminal(state.status)) this.resources.knownMaps.forget(runUuid);
      else this.resources.knownMaps.record(runUuid, run.decisionSeq + (written.runsWritten.has(runUuid) ? 1 : 0), state);
    }
  }

  /** Counts the nodes a committed write claimed at release, and those it ran through RUNNING that started before their claim. */
  private countClaims(decisions: readonly RunDecision[], written: AppliedCommands): void {
    let startedBefore = 0;
    for (const { commands } of decisions) for (const c of commands) if (c.type === 'SET_NODE' && c.startedAt !== undefined && c.to !== Status.RUNNING) startedBefore++;
    const { nodeClaims } = this.resources.metrics;
    if (written.claimed.length > 0) nodeClaims.inc({ way: ClaimWay.AT_RELEASE }, written.claimed.length);
    if (startedBefore > 0) nodeClaims.inc({ way: ClaimWay.AFTER_START }, startedBefore);
  }

  /**
   * A run of a limited workflow that ended gave its slot back (the
   * run_admission_release trigger): the next waiting run of its key is
   * admitted now rather than at the admission loop's next pass. A failure is
   * the loop's to make up for, not the decision's, which has committed.
   */
  private async admitAfter(ends: readonly RunEnding[]): Promise<void> {
    for (const { run } of ends) {
      if (!(await this.resources.definitions.spec(run.definitionId, run.definitionVersion)).concurrency) continue;
      await this.admission.admit().catch((error: unknown) => this.resources.logger?.warn({ err: error }, 'admission after a run ended failed; the admission loop admits the runs'));
      return;
    }
  }

  /** Counts, logs and traces a run reaching a terminal status: the committed decision that ended it happens exactly once. */
  private recordRunEnd({ runUuid, run, status, endTime }: RunEnding): void {
    const name = statusName(status);
    this.resources.metrics.runsFinished.inc({ workflow: run.workflow, status: name });
    this.resources.logger?.info({ runId: uuidToShortId(runUuid), workflow: run.workflow, status: name }, 'run finished');
    emitRunSpan({ uuid: runUuid, workflow: run.workflow, traceId: run.traceId, startTime: run.startTime, endTime, status: name });
  }
}

/**
 * The map commands of a batch, after its write (in its transaction: a run
 * with maps is decided locked, see DecisionStates): the elements of the maps
 * it reached, whose items its write may just have stored in their source's
 * output, and the joined outputs of the maps it ended, whose last element's
 * output it may just have stored.
 */
async function writeMapCommands(db: Queryable, { decisions, dags, now }: Decided): Promise<void> {
  const inserts: MapElementsInsert[] = [];
  const joins: { runId: string; map: string }[] = [];
  for (const { runId, commands, decisionSeq } of decisions) {
    for (const command of commands) {
      if (command.type === 'JOIN_ELEMENTS') joins.push({ runId, map: command.node });
      if (command.type !== 'ADD_ELEMENTS') continue;
      const dag = dags.get(runId)!;
      const { source, path } = dag.maps.get(command.node)!;
      const { node: map, count, started, startedAs } = command;
      inserts.push({ runId, map, source, path, count, started, startedAs, firstPosition: elementPosition(dag.order.indexOf(map), 0), seq: decisionSeq + 1 });
    }
  }
  await insertMapElements(db, inserts, now);
  await joinMapOutputs(db, joins);
}

/** The claimed steps whose success scope a decision's write reads ahead: the lone step a run releases (a chain's next). */
function nextStepsToRead(claims: readonly ReleaseRequest[]): ReleaseRequest[] {
  const perRun = new Map<string, number>();
  for (const claim of claims) perRun.set(claim.runId, (perRun.get(claim.runId) ?? 0) + 1);
  return claims.filter((claim) => perRun.get(claim.runId) === 1);
}

/** The priorities of the runs decided that have one (most have the default, 0), for their nodes' dispatch. */
function prioritiesOf(states: ReadonlyMap<string, DecisionState>): ReadonlyMap<string, number> {
  const priorities = new Map<string, number>();
  for (const [runUuid, { run }] of states) if (run.priority) priorities.set(runUuid, run.priority);
  return priorities;
}

/** The positions of each run's items, in order, by run. */
function indexesByRun(items: readonly RunEventItem[]): Map<string, number[]> {
  const byRun = new Map<string, number[]>();
  items.forEach(({ runUuid }, i) => {
    const indexes = byRun.get(runUuid);
    if (indexes) indexes.push(i);
    else byRun.set(runUuid, [i]);
  });
  return byRun;
}
