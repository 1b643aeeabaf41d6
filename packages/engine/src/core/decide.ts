import { InvalidTransition, NodeNotFound } from '../errors.ts';
import { isClaimable } from './claim.ts';
import { elementName } from './mapElements.ts';
import { listAt, type MapList } from './mapSpec.ts';
import { nodePositions } from './nodePositions.ts';
import { isRetryable, jitterSeed, nonRetryableOutcome, retryDelayMs, type FailureCause } from './retryPolicy.ts';
import type { Command, MapState, NodeFailure, NodeOutcome, NodeState, RunEvent, RunState } from './runState.ts';
import {
  FAILED_STATUSES,
  SATISFIED_STATUSES,
  Status,
  canTransition,
  isLegalPath,
  isTerminal,
  shortestPath,
  statusName,
} from './status.ts';

/** Nodes in these statuses have not started and can be cancelled outright. */
const PENDING: readonly Status[] = [Status.INIT, Status.WAIT, Status.READY, Status.SUSPEND];

/**
 * The engine's one decision function: given a run, an event and the time, what
 * must change. Pure: no I/O, no clock. Adapters apply the commands in one
 * transaction (each status write conditional on `from`) and enqueue after commit.
 *
 * Operations that make no sense for the run's status throw InvalidTransition;
 * events about a node attempt that is no longer current (a late worker, a
 * duplicate job) return no commands: they lost a race, which is normal.
 */
export function decide(run: RunState, event: RunEvent, now: Date): Command[] {
  const plan = new Plan(run, now);
  switch (event.type) {
    case 'NODE_SUCCEEDED': {
      // An attempt started before its claim counts while its row is claimable on it (see core/claim.ts),
      // and walks READY → RUNNING → SUCCESS keeping its start.
      const { unclaimedStart } = event;
      const node = unclaimedStart ? plan.claimable(event.node, event.attempt) : plan.current(event.node, event.attempt, event.leaseOwner);
      if (!node) return [];
      plan.setNode(node, Status.SUCCESS, unclaimedStart ? { outcome: event.outcome, via: Status.RUNNING, startedAt: unclaimedStart } : { outcome: event.outcome });
      plan.reportOutput(node.name, event.outcome.output);
      plan.releaseChildren(node);
      break;
    }
    case 'NODE_FAILED': {
      const node = plan.current(event.node, event.attempt, event.leaseOwner);
      if (!node) return [];
      plan.fail(node, event.failure, event.outcome, event);
      break;
    }
    case 'NODE_CANCELED': {
      const node = plan.current(event.node, event.attempt, event.leaseOwner);
      if (!node) return [];
      plan.setNode(node, Status.CANCEL, { outcome: event.outcome });
      plan.cancelPending();
      break;
    }
    case 'LEASE_EXPIRED': {
      const node = plan.held(event.node, event.attempt, event.leaseOwner);
      if (!node) return [];
      // A READY attempt was handed to a local lane that may have started it before claiming it: walked through RUNNING.
      const via = node.status === Status.READY ? Status.RUNNING : undefined;
      // A lost attempt is the platform's, not the handler's: it is re-run on a budget of its own and
      // leaves the node's retries alone. A node that kills its worker every time still ends, when that
      // budget is spent, as the engine's failure (INTERNAL_ERROR), its record saying why.
      const lost = node.lostAttempts ?? 0;
      const why = event.why ?? 'its worker stopped renewing the lease';
      if (run.cancelRequested) {
        plan.setNode(node, Status.CANCEL, { outcome: { error: `attempt ${node.attempt} lost: ${why}` } });
        plan.cancelPending();
      } else if (lost < event.lostAttemptsAllowed) {
        plan.rerunLost(node, { error: `attempt ${node.attempt} lost: ${why}; re-run (${lost + 1} of ${event.lostAttemptsAllowed} lost attempts allowed)` }, event.lostBy);
      } else {
        plan.setNode(node, Status.INTERNAL_ERROR, {
          outcome: { error: `attempt ${node.attempt} lost: ${why}; ${lost + 1} attempts lost, more than the ${event.lostAttemptsAllowed} allowed` },
          ...(via === undefined ? {} : { via }),
        });
        plan.cancelPending();
      }
      break;
    }
    case 'NODE_PARKED': {
      // Parked as a worker's claim would take it: only while READY on that attempt.
      const node = plan.claimable(event.node, event.attempt);
      if (!node) return [];
      plan.setRun(Status.RUNNING);
      plan.setNode(node, Status.RUNNING, { startedAt: now });
      break;
    }
    case 'NODE_DETACHED': {
      const node = plan.current(event.node, event.attempt, event.leaseOwner);
      if (!node) return [];
      plan.detach(node);
      break;
    }
    case 'SETTLE': {
      if (isTerminal(run.status)) return [];
      break;
    }
    case 'CANCEL': {
      plan.requireNotTerminal('cancel');
      if (run.cancelRequested) return [];
      plan.commands.push({ type: 'REQUEST_CANCEL' });
      plan.cancelPending();
      for (const node of run.nodes) {
        // A map's own row runs nothing: its elements are aborted, and it ends when they have.
        if (node.status === Status.RUNNING && !node.map) plan.commands.push({ type: 'ABORT', node: node.name, attempt: node.attempt });
      }
      break;
    }
    case 'SUSPEND': {
      if (run.cancelRequested || !canTransition(run.status, Status.SUSPEND)) {
        throw new InvalidTransition('suspend', statusName(run.status));
      }
      plan.setRun(Status.SUSPEND);
      for (const node of run.nodes) {
        if (node.status === Status.READY) plan.setNode(node, Status.SUSPEND);
      }
      return plan.commands;
    }
    case 'RESUME': {
      if (run.status !== Status.SUSPEND) throw new InvalidTransition('resume', statusName(run.status));
      const anyRunning = run.nodes.some((n) => n.status === Status.RUNNING);
      plan.setRun(anyRunning ? Status.RUNNING : Status.READY);
      for (const node of run.nodes) {
        if (node.status === Status.SUSPEND) plan.makeReady(node, node.attempt);
      }
      break;
    }
    case 'RERUN': {
      if (!isTerminal(run.status) || run.status === Status.SUCCESS || run.status === Status.SKIP) {
        throw new InvalidTransition('rerun', statusName(run.status), `only a failed or cancelled run can be rerun; this one is ${statusName(run.status)}`);
      }
      plan.setRun(Status.READY, { cancelRequested: false });
      for (const node of run.nodes) {
        // A map's elements are rerun with their map.
        if (SATISFIED_STATUSES.includes(node.status) || node.elementOf !== undefined) continue;
        const ready = plan.parentsSatisfied(node);
        const rerun = { nextAttempt: node.attempt + 1, ended: node.status };
        if (ready && node.map && !node.skipRequested) plan.rerunMap(node, node.map, rerun);
        else if (ready && node.skipRequested) plan.setNode(node, Status.SKIP, { ...rerun, via: [Status.RERUN, Status.WAIT] });
        else {
          plan.setNode(node, ready ? Status.READY : Status.WAIT, { ...rerun, via: Status.RERUN });
          if (ready) plan.enqueue(node, node.attempt + 1);
        }
      }
      return plan.commands;
    }
    case 'SKIP_NODE': {
      plan.requireNotTerminal('skip a node of');
      const node = plan.byName(event.node);
      if (!canTransition(node.status, Status.SKIP)) {
        throw new InvalidTransition(
          'skip',
          statusName(node.status),
          `node ${node.name} is ${statusName(node.status)}; only a node that has not been reached yet (INIT or WAIT) can be skipped`,
        );
      }
      // Skipped now only if it has been reached (its parents satisfied): its children may then run. Otherwise it
      // is skipped when it is reached, so no child ever starts before its parents are satisfied.
      if (plan.parentsSatisfied(node)) {
        plan.setNode(node, Status.SKIP);
        plan.releaseChildren(node);
      } else if (!node.skipRequested) plan.requestSkip(node);
      break;
    }
  }
  plan.settle();
  // A node of it has run: a run still READY (a claim writes its node alone, see runtime/runStartMarks.ts) is RUNNING now, if not ended.
  if (event.type === 'NODE_SUCCEEDED' || event.type === 'NODE_FAILED' || event.type === 'NODE_DETACHED') plan.started();
  return plan.commands;
}

/** Accumulates commands while tracking the statuses they will produce. */
class Plan {
  readonly commands: Command[] = [];
  /**
   * The statuses this plan's commands give nodes; any other node keeps its
   * own. Only these are kept, not a copy of every node's: a batch of K
   * successes decided in turn on a state of ~K nodes copied K² statuses.
   */
  private readonly status = new Map<string, Status>();
  private readonly positions: ReadonlyMap<string, number>;
  private readonly leases = new Map<string, string>();
  /** outputs reported in this event: a map reached by its list's parent succeeding reads the list here */
  private readonly reported = new Map<string, unknown>();
  /** maps one of whose elements ended in this plan: each may start more elements, or end (advanceMap) */
  private readonly touchedMaps = new Set<string>();
  private runStatus: Status;

  constructor(
    private readonly run: RunState,
    private readonly now: Date,
  ) {
    this.runStatus = run.status;
    this.positions = nodePositions(run.nodes);
  }

  private statusOf(name: string): Status {
    return this.status.get(name) ?? this.node(name)!.status;
  }

  private node(name: string): NodeState | undefined {
    const position = this.positions.get(name);
    return position === undefined ? undefined : this.run.nodes[position];
  }

  byName(name: string): NodeState {
    const node = this.node(name);
    if (!node) throw new NodeNotFound(name);
    return node;
  }

  /**
   * The node if the event is about its current, running attempt, reported by
   * the lease holder; otherwise the event is stale. The reporter's lease then
   * guards every write to the node, so a takeover between this read and the
   * write still makes the write miss.
   */
  current(name: string, attempt: number, leaseOwner: string | undefined): NodeState | undefined {
    const node = this.node(name);
    if (!node || node.status !== Status.RUNNING || node.attempt !== attempt) return undefined;
    if (leaseOwner === undefined) return node;
    if (node.leaseOwner !== undefined && node.leaseOwner !== leaseOwner) return undefined;
    this.leases.set(name, leaseOwner);
    return node;
  }

  /**
   * The node if `leaseOwner` still holds its attempt: RUNNING under that lease
   * (see current), or READY on the attempt and handed to that worker's local
   * lane (the row names it), which may have started it before its claim.
   */
  held(name: string, attempt: number, leaseOwner: string): NodeState | undefined {
    const node = this.node(name);
    if (node?.status === Status.READY && node.attempt === attempt && node.leaseOwner === leaseOwner) {
      this.leases.set(name, leaseOwner);
      return node;
    }
    return this.current(name, attempt, leaseOwner);
  }

  /** The node, if it may still be claimed for `attempt`: an attempt that ran unclaimed still counts (see UnclaimedRun). */
  claimable(name: string, attempt: number): NodeState | undefined {
    const node = this.node(name);
    return node && isClaimable(node, attempt) ? node : undefined;
  }

  requireNotTerminal(operation: string): void {
    if (isTerminal(this.run.status)) throw new InvalidTransition(operation, statusName(this.run.status));
  }

  setNode(
    node: NodeState,
    to: Status,
    options: { outcome?: NodeOutcome; nextAttempt?: number; via?: Status | readonly Status[]; startedAt?: Date; ended?: Status } = {},
  ): void {
    const from = this.statusOf(node.name);
    const path = [from, ...(options.via === undefined ? [] : typeof options.via === 'number' ? [options.via] : options.via), to];
    assertLegal(path, `node ${node.name}`);
    this.status.set(node.name, to);
    if (node.elementOf !== undefined && isTerminal(to)) this.touchedMaps.add(node.elementOf);
    this.commands.push({
      type: 'SET_NODE',
      node: node.name,
      attempt: node.attempt,
      from,
      to,
      ...(options.nextAttempt === undefined ? {} : { nextAttempt: options.nextAttempt }),
      ...(options.ended === undefined ? {} : { ended: options.ended }),
      ...(options.outcome === undefined ? {} : { outcome: options.outcome }),
      ...(options.startedAt === undefined ? {} : { startedAt: options.startedAt }),
      ...this.leaseGuard(node),
    });
  }

  private leaseGuard(node: NodeState): { leaseOwner?: string } {
    const leaseOwner = this.leases.get(node.name);
    return leaseOwner === undefined ? {} : { leaseOwner };
  }

  /**
   * A failed attempt: retried while retries remain (and no cancel was asked),
   * else it fails the run. Only the handler's own attempts count against its
   * retries: the attempts lost to the platform do not.
   */
  fail(node: NodeState, failure: NodeFailure, outcome: NodeOutcome, cause: FailureCause = {}): void {
    const retryable = isRetryable(node.retry, cause);
    if (retryable && handlerAttempt(node) <= node.retries && !this.run.cancelRequested) {
      this.retry(node, failure, outcome);
      return;
    }
    this.setNode(node, Status[failure], { outcome: retryable ? outcome : nonRetryableOutcome(outcome, cause) });
    this.cancelPending();
  }

  /** The run, if still READY, is RUNNING: a node of it has run. */
  started(): void {
    if (this.runStatus === Status.READY) this.setRun(Status.RUNNING);
  }

  setRun(to: Status, options: { cancelRequested?: boolean } = {}): void {
    const from = this.runStatus;
    if (from === to) return;
    const path = shortestPath(from, to);
    if (!path) throw new InvalidTransition(`move to ${statusName(to)}`, statusName(from));
    this.runStatus = to;
    this.commands.push({ type: 'SET_RUN', from, to, ...options });
  }

  enqueue(node: NodeState, attempt: number, delayMs = 0): void {
    this.commands.push({ type: 'ENQUEUE', node: node.name, attempt, runAt: new Date(this.now.getTime() + delayMs) });
  }

  /** READY and queued, unless the run is suspended, in which case it waits in SUSPEND for resume. */
  makeReady(node: NodeState, attempt: number): void {
    if (this.runStatus === Status.SUSPEND) {
      this.setNode(node, Status.SUSPEND);
      return;
    }
    this.setNode(node, Status.READY);
    this.enqueue(node, attempt);
  }

  parentsSatisfied(node: NodeState): boolean {
    // Last parent first: parents end roughly in their order, so while a join waits its last ones are
    // what still keep it waiting. Walked first to last, a batch of K successes of a join's parents
    // decided in turn walked K²/2 satisfied parents (a 1 → 10,000 → 1 batch of 435: 95,000).
    for (let i = node.parents.length - 1; i >= 0; i--) if (!SATISFIED_STATUSES.includes(this.statusOf(node.parents[i]!))) return false;
    return true;
  }

  /**
   * Children whose every parent is now satisfied become runnable — or, asked
   * to be skipped before they were reached, are skipped now and release their
   * own children in turn.
   */
  releaseChildren(node: NodeState): void {
    if (this.run.cancelRequested) return;
    for (const childName of node.children) {
      const child = this.node(childName)!;
      if (this.statusOf(childName) !== Status.WAIT || !this.parentsSatisfied(child)) continue;
      if (child.skipRequested) {
        this.setNode(child, Status.SKIP);
        this.releaseChildren(child);
      } else if (child.map) this.expand(child, child.map);
      else this.makeReady(child, child.attempt);
    }
  }

  /** Keeps a success's output for the maps it reaches (see listOf). */
  reportOutput(name: string, output: unknown): void {
    this.reported.set(name, output);
  }

  /**
   * A map reached (or rerun, `rerun` naming its next attempt): RUNNING with
   * its elements, the first `maxConcurrency` started; SKIP over an empty list
   * (its children run); FAIL, failing the run, when there is no list.
   */
  private expand(node: NodeState, map: MapState, rerun?: { readonly nextAttempt: number; readonly ended: Status }): void {
    const list = this.listOf(node, map);
    const attempt = rerun ? { nextAttempt: rerun.nextAttempt, ended: rerun.ended } : {};
    const from: Status[] = rerun ? [Status.RERUN] : [];
    if ('error' in list) {
      this.setNode(node, Status.FAIL, { ...attempt, via: [...from, Status.READY, Status.RUNNING], outcome: { error: list.error } });
      this.cancelPending();
      return;
    }
    if (list.length === 0) {
      this.setNode(node, Status.SKIP, { ...attempt, ...(rerun ? { via: [Status.RERUN, Status.WAIT] } : {}) });
      this.releaseChildren(node);
      return;
    }
    this.setNode(node, Status.RUNNING, { ...attempt, via: [...from, Status.READY], startedAt: this.now });
    const started = Math.min(list.length, map.maxConcurrency ?? list.length);
    const startedAs = this.runStatus === Status.SUSPEND ? Status.SUSPEND : Status.READY;
    this.commands.push({ type: 'ADD_ELEMENTS', node: node.name, count: list.length, started, startedAs });
    if (startedAs === Status.READY) for (let i = 0; i < started; i++) this.commands.push({ type: 'ENQUEUE', node: elementName(node.name, i), attempt: 1, runAt: this.now });
  }

  /** A map's list: from its parent's output reported in this event, else SKIP's empty one, else as read with the state. */
  private listOf(node: NodeState, map: MapState): MapList {
    if (this.reported.has(map.source)) return listAt(map.over, this.reported.get(map.source), map.path);
    if (this.statusOf(map.source) === Status.SKIP) return { length: 0 };
    // Read with every whole state of a run with maps (storage/readMapLists.ts), and with no other.
    if (!map.list) throw new Error(`map ${node.name}: its list was not read with the run's state`);
    return map.list;
  }

  /**
   * A failed or cancelled run's map rerun (see RERUN): one never reached
   * with elements is reached again; one with elements reruns those that did
   * not succeed (as many as may run at once, the rest waiting), keeping the rest.
   */
  rerunMap(node: NodeState, map: MapState, rerun: { readonly nextAttempt: number; readonly ended: Status }): void {
    if (map.elements.length === 0) {
      this.expand(node, map, rerun);
      return;
    }
    const again = map.elements.map((name) => this.node(name)!).filter((element) => !SATISFIED_STATUSES.includes(element.status));
    if (again.length === 0) {
      this.setNode(node, Status.SUCCESS, { ...rerun, via: [Status.RERUN, Status.READY, Status.RUNNING], startedAt: this.now });
      this.commands.push({ type: 'JOIN_ELEMENTS', node: node.name });
      return;
    }
    this.setNode(node, Status.RUNNING, { ...rerun, via: [Status.RERUN, Status.READY], startedAt: this.now });
    let slots = map.maxConcurrency ?? again.length;
    for (const element of again) {
      const next = { nextAttempt: element.attempt + 1, ended: element.status };
      if (element.skipRequested) this.setNode(element, Status.SKIP, { ...next, via: [Status.RERUN, Status.WAIT] });
      else if (slots > 0) {
        this.setNode(element, Status.READY, { ...next, via: Status.RERUN });
        this.enqueue(element, element.attempt + 1);
        slots--;
      } else this.setNode(element, Status.WAIT, { ...next, via: Status.RERUN });
    }
  }

  /**
   * After some of a map's elements ended: starts waiting elements into the
   * slots they left (maxConcurrency), and once every element has ended, ends
   * the map — SUCCESS with their outputs joined, its children released; else
   * the first failed element's status, or CANCEL.
   */
  private advanceMap(node: NodeState, map: MapState): void {
    if (this.statusOf(node.name) !== Status.RUNNING) return;
    const { elements } = map;
    if (map.maxConcurrency !== undefined && map.maxConcurrency < elements.length && !this.run.cancelRequested) this.startWaiting(elements, map.maxConcurrency);
    // Elements start in index order, so the last ones are those still going: from the end, one is found at once.
    for (let i = elements.length - 1; i >= 0; i--) if (!isTerminal(this.statusOf(elements[i]!))) return;
    const failed = elements.find((name) => FAILED_STATUSES.includes(this.statusOf(name)));
    if (failed !== undefined) {
      const status = this.statusOf(failed);
      this.setNode(node, status, { outcome: { error: `element ${failed} ended ${statusName(status)}` } });
    } else if (elements.some((name) => this.statusOf(name) === Status.CANCEL)) this.setNode(node, Status.CANCEL);
    else {
      this.commands.push({ type: 'JOIN_ELEMENTS', node: node.name });
      this.setNode(node, Status.SUCCESS);
      this.releaseChildren(node);
    }
  }

  /** Starts waiting elements, in index order, into the slots the running ones leave; one to be skipped is skipped, taking none. */
  private startWaiting(elements: readonly string[], maxConcurrency: number): void {
    let running = 0;
    for (const name of elements) {
      const status = this.statusOf(name);
      if (status !== Status.WAIT && !isTerminal(status)) running++;
    }
    for (const name of elements) {
      if (this.statusOf(name) !== Status.WAIT) continue;
      const element = this.node(name)!;
      if (element.skipRequested) this.setNode(element, Status.SKIP);
      else if (running < maxConcurrency) {
        this.makeReady(element, element.attempt);
        running++;
      }
    }
  }

  /** Records that a node not reached yet is to be skipped when it is (its status stays WAIT). */
  requestSkip(node: NodeState): void {
    this.commands.push({ type: 'SET_NODE', node: node.name, attempt: node.attempt, from: this.statusOf(node.name), to: this.statusOf(node.name), requestSkip: true });
  }

  /** Releases a RUNNING node's lease, its status kept: it waits in Postgres, no worker holding it (core/parkedNode.ts). */
  detach(node: NodeState): void {
    this.commands.push({ type: 'SET_NODE', node: node.name, attempt: node.attempt, from: Status.RUNNING, to: Status.RUNNING, ...this.leaseGuard(node) });
  }

  /**
   * A retry is one write that walks RUNNING → FAIL (or TIMEOUT, INTERNAL_ERROR)
   * → RERUN → READY, starting the next attempt after an exponential backoff
   * (backoffMs, 2×, 4×, … by the handler's own attempts; capped and jittered by its retry policy).
   */
  retry(node: NodeState, failure: NodeFailure, outcome: NodeOutcome): void {
    const delayMs = retryDelayMs(node.backoffMs, node.retry, handlerAttempt(node), jitterSeed(this.run.id, node.name, node.attempt));
    this.nextAttempt(node, Status[failure], outcome, false, delayMs);
  }

  /** An attempt lost to the platform (run by `lostBy`) is re-run at once, counted as lost, not as one of the handler's retries. */
  rerunLost(node: NodeState, outcome: NodeOutcome, lostBy: string | undefined): void {
    this.nextAttempt(node, Status.INTERNAL_ERROR, outcome, true, 0, lostBy);
  }

  /**
   * Ends an attempt as `ended` and starts the next one, READY after `delayMs`
   * (or held in SUSPEND). The attempt is RUNNING, or READY in a lost local
   * lane, whose walk then passes through RUNNING.
   */
  private nextAttempt(node: NodeState, ended: Status, outcome: NodeOutcome, lost: boolean, delayMs: number, ranBy?: string): void {
    const nextAttempt = node.attempt + 1;
    const suspended = this.runStatus === Status.SUSPEND;
    const to = suspended ? Status.SUSPEND : Status.READY;
    const from = this.statusOf(node.name);
    assertLegal([...(from === Status.READY ? [Status.READY] : []), Status.RUNNING, ended, Status.RERUN, Status.READY, ...(suspended ? [Status.SUSPEND] : [])], `node ${node.name}`);
    this.status.set(node.name, to);
    this.commands.push({
      type: 'SET_NODE',
      node: node.name,
      attempt: node.attempt,
      from,
      to,
      nextAttempt,
      ended,
      ...(lost ? { lost } : {}),
      ...(ranBy === undefined ? {} : { ranBy }),
      outcome,
      ...this.leaseGuard(node),
    });
    if (!suspended) this.enqueue(node, nextAttempt, delayMs);
  }

  /** Nodes that can no longer run (the run failed or was cancelled) are CANCEL, never left hanging. */
  cancelPending(): void {
    for (const node of this.run.nodes) {
      if (PENDING.includes(this.statusOf(node.name))) this.setNode(node, Status.CANCEL);
    }
  }

  /** When every node is terminal, the run ends: the first failure's status, else CANCEL, else SUCCESS. */
  settle(): void {
    for (const name of this.touchedMaps) {
      const map = this.byName(name);
      this.advanceMap(map, map.map!);
    }
    // Stops at the last node not yet ended, looking from the end: the nodes furthest down the DAG
    // are what a live run has not reached, where a batch of successes decided in turn walked the
    // growing ended prefix once per event.
    for (let i = this.run.nodes.length - 1; i >= 0; i--) if (!isTerminal(this.statusOf(this.run.nodes[i]!.name))) return;
    const statuses = this.run.nodes.map((node) => this.statusOf(node.name));
    const failed = statuses.find((status) => FAILED_STATUSES.includes(status));
    this.setRun(failed ?? (statuses.includes(Status.CANCEL) ? Status.CANCEL : Status.SUCCESS));
  }
}

/** Which of its own attempts the handler is on: the node's attempt, less those lost to the platform. */
function handlerAttempt(node: NodeState): number {
  return node.attempt - (node.lostAttempts ?? 0);
}

function assertLegal(path: Status[], what: string): void {
  if (!isLegalPath(path)) {
    throw new InvalidTransition(`move ${what} along ${path.map(statusName).join(' → ')}`, statusName(path[0]!));
  }
}
