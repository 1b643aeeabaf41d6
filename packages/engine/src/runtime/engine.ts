import type { Redis } from 'ioredis';
import type pg from 'pg';
import type { Logger } from 'pino';
import { newUuid, shortIdToUuid, uuidToShortId } from '../core/ids.ts';
import type { Command, RunEvent } from '../core/runState.ts';
import type { WorkflowSpec, WorkflowSpecInput } from '../core/spec.ts';
import { Status, isTerminal, statusName } from '../core/status.ts';
import type { WorkflowDefinition } from '../definitions/defineWorkflow.ts';
import { RunNotFound, ValidationFailed } from '../errors.ts';
import { FlowlineMetrics } from '../metrics/flowlineMetrics.ts';
import { emitRunSpan, newTraceId } from '../tracing/runTracing.ts';
import { HandlerRegistry } from '../handlers/handlerRegistry.ts';
import { publishAbort } from '../queue/abortChannel.ts';
import { ScheduleCatalog } from '../scheduler/scheduleCatalog.ts';
import { NodeQueue, type NodeDispatch } from '../queue/nodeQueue.ts';
import { applyCommands, StaleDecision, type ReleaseRequest, type RunDecision } from '../storage/applyCommands.ts';
import { inTransaction, type Database, type Queryable } from '../storage/database.ts';
import type { DefinitionVersionRecord } from '../storage/definitionStore.ts';
import { insertRuns, type NewRunRow } from '../storage/insertRuns.ts';
import { assignInstanceStamps } from '../storage/assignInstanceStamps.ts';
import { findRunByInstanceStamp, readInstanceStamps } from '../storage/findRunByInstanceStamp.ts';
import { listRunsBySeq, type RunFilter } from '../storage/listRuns.ts';
import { countRuns, listRunsByPage, type RunPageRequest } from '../storage/listRunsByPage.ts';
import { readRun, type RunRecord, type RunWithNodes } from '../storage/readRun.ts';
import type { LockedRunRow, NodeStateRow } from '../storage/lockRun.ts';
import { isRetryableTransactionError, isUnstorableText } from '../storage/sqlState.ts';
import { DefinitionCache } from './definitionCache.ts';
import { DefinitionCatalog, SHARED_CATALOG_ORG } from './definitionCatalog.ts';
import { runAsInserted } from './runAsInserted.ts';
import { decidableUnlocked, loadDecisionStates, loadSuccessStates, successScopeRequest, type DecisionEvent, type DecisionState, type RunDefinitionRef } from './decisionState.ts';
import { AttemptMap } from './attemptMap.ts';
import { GroupCommit } from './groupCommit.ts';
import { decideInTurn } from '../core/decideInTurn.ts';
import type { Dag } from '../core/dag.ts';
import type { ClaimedNode, ClaimRequest } from '../storage/claimNodes.ts';
import { dueReleases, type ClaimedAttempt, type LocalLane } from './localLane.ts';
import { KnownRunStates, type ReportedSuccess } from './knownRunStates.ts';
import { ReportedOutputs } from './reportedOutputs.ts';

/** The org of records created without an authenticated caller (demo flows, single-tenant installs). */
export const DEFAULT_ORG = SHARED_CATALOG_ORG;

/** EnOS instance types, kept on every run. */
export const TriggerType = { MANUAL: 0, PERIODIC: 1, TEMPORARY: 2 } as const;
export type TriggerType = (typeof TriggerType)[keyof typeof TriggerType];

export interface StartRunRequest {
  readonly workflow: string;
  readonly orgId?: string;
  readonly owner?: string;
  readonly bizId?: string;
  readonly bizType?: string;
  readonly input?: unknown;
  readonly idempotencyKey?: string;
  readonly triggerType?: TriggerType;
}

export interface StartedRun {
  readonly run: RunWithNodes;
  /** false when the idempotency key named an existing run, which is returned instead */
  readonly created: boolean;
}

/** A start written in a transaction not yet committed; see `Engine.startRunInTransaction`. */
export interface PendingStart {
  readonly id: string;
  readonly seq: number;
  readonly orgId: string;
  readonly workflow: string;
  readonly triggerType: TriggerType;
  /** false when the idempotency key named an existing run */
  readonly created: boolean;
  readonly roots: readonly string[];
  readonly now: Date;
}

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

/** The nodes a decision releases to run now, and how many local slots were held for them (the first `held` are claimed). */
interface Releases {
  readonly due: readonly ReleaseRequest[];
  readonly held: number;
}

/** A decision that ended a run: the run as it was locked, its final status and when. */
interface RunEnding {
  readonly runUuid: string;
  readonly run: LockedRunRow;
  readonly status: Status;
  readonly endTime: Date;
}

interface StartPlan {
  readonly row: NewRunRow;
  readonly roots: readonly string[];
  readonly dag: Dag;
}

export interface EngineOptions {
  readonly db: Database;
  readonly redis: Redis;
  readonly queuePrefix: string;
  readonly registry?: HandlerRegistry;
  readonly logger?: Logger;
  /** the clock; tests pass their own */
  readonly now?: () => Date;
  /** the display zone: schedules that name no zone of their own fire in it; default the host's */
  readonly timeZone?: string;
  /** the process's metrics; default: a registry of this engine's own */
  readonly metrics?: FlowlineMetrics;
}

const TRIGGER_LABEL = { 0: 'manual', 1: 'periodic', 2: 'temporary' } as const;

const MAX_DECISION_ATTEMPTS = 20;

/** The claimed steps whose success scope a decision's write reads ahead: the lone step a run releases (a chain's next). */
function nextStepsToRead(claims: readonly ClaimRequest[]): ClaimRequest[] {
  const perRun = new Map<string, number>();
  for (const claim of claims) perRun.set(claim.runId, (perRun.get(claim.runId) ?? 0) + 1);
  return claims.filter((claim) => perRun.get(claim.runId) === 1);
}

/**
 * The engine: starts runs, applies events to them through the pure core, and
 * dispatches what becomes runnable. Every process role (api, worker, scheduler)
 * holds one; they coordinate only through Postgres and Redis.
 */
export class Engine {
  readonly db: Database;
  readonly redis: Redis;
  readonly queuePrefix: string;
  readonly registry: HandlerRegistry;
  readonly nodeQueue: NodeQueue;
  readonly definitions: DefinitionCache;
  /** Starts asked for in this process, written in group-committed batches. */
  private readonly starts = new GroupCommit<StartRunRequest, StartedRun>((requests) => this.startBatch(requests));
  /** Node successes reported in this process, decided in group-committed batches across runs. */
  private readonly successes = new GroupCommit<RunEventItem, readonly Command[]>((items) => this.decideSettled(items));
  readonly catalog: DefinitionCatalog;
  readonly schedules: ScheduleCatalog;
  readonly logger: Logger | undefined;
  readonly now: () => Date;
  readonly metrics: FlowlineMetrics;
  private localLane: LocalLane | undefined;
  /** The runs this process decided about, as its decisions left them: later successes are decided on them without a read. */
  private readonly known = new KnownRunStates();

  constructor(options: EngineOptions) {
    this.db = options.db;
    this.redis = options.redis;
    this.queuePrefix = options.queuePrefix;
    this.registry = options.registry ?? new HandlerRegistry();
    this.logger = options.logger;
    this.now = options.now ?? (() => new Date());
    this.nodeQueue = new NodeQueue(options.redis, options.queuePrefix);
    this.metrics = options.metrics ?? new FlowlineMetrics();
    this.metrics.watchQueue(this.nodeQueue.queue);
    this.definitions = new DefinitionCache(options.db);
    this.schedules = new ScheduleCatalog(options.db, this.now, options.timeZone ?? Intl.DateTimeFormat().resolvedOptions().timeZone);
    this.catalog = new DefinitionCatalog(options.db, this.registry, this.now, this.schedules, this.definitions);
  }

  /** Registers a code-defined workflow's handlers here and stores its spec (a new version if it changed). */
  async registerWorkflow(definition: WorkflowDefinition, orgId = DEFAULT_ORG): Promise<DefinitionVersionRecord> {
    for (const [name, handler] of definition.handlers) this.registry.register(name, handler);
    return this.applyDefinition(definition.spec, orgId);
  }

  /** Validates a spec (schema, DAG, node types, code handlers) and stores it: a new version if it changed. */
  applyDefinition(input: WorkflowSpecInput | WorkflowSpec, orgId = DEFAULT_ORG): Promise<DefinitionVersionRecord> {
    return this.catalog.apply(input, orgId);
  }

  /**
   * Starts a run: the run and all its node rows are written in one statement
   * (roots READY, the rest WAIT), then the roots are dispatched. Starts are
   * group-committed: those asked for while a batch is being written are
   * written together next, one statement and one dispatch for all.
   */
  startRun(request: StartRunRequest): Promise<StartedRun> {
    return this.starts.submit(request);
  }

  /** Writes a batch of starts; a start that cannot be planned (unknown workflow) fails alone. */
  private async startBatch(requests: readonly StartRunRequest[]): Promise<PromiseSettledResult<StartedRun>[]> {
    const definitions = new Map<string, Promise<DefinitionVersionRecord>>();
    const resolve = (workflow: string, orgId: string) => {
      const key = `${orgId}\0${workflow}`;
      if (!definitions.has(key)) definitions.set(key, this.catalog.resolveForStart(workflow, orgId));
      return definitions.get(key)!;
    };
    const planned = await Promise.allSettled(requests.map((request) => this.planStart(request, resolve)));
    const plans = planned.flatMap((p) => (p.status === 'fulfilled' ? [p.value] : []));
    const written = await this.writeStarts(plans);
    await this.afterStartCommitted(written.flatMap((w) => (w.status === 'fulfilled' ? [w.value] : [])));
    const started = new Map<StartPlan, PromiseSettledResult<StartedRun>>();
    for (const [i, write] of written.entries()) {
      const plan = plans[i]!;
      if (write.status === 'rejected') {
        started.set(plan, write);
        continue;
      }
      const start = write.value;
      if (start.created && plan.dag.order.length > 1) this.knowInserted(plan);
      const run = start.created ? runAsInserted(plan.row, start.seq) : await readRun(this.db.pool, start.orgId, start.id);
      started.set(plan, { status: 'fulfilled', value: { run: run!, created: start.created } });
    }
    return planned.map((p) => (p.status === 'fulfilled' ? started.get(p.value)! : p));
  }

  /**
   * One statement writes a batch's runs and their nodes: atomic without a
   * transaction of its own. If it fails, the starts are written one by one, so
   * one start's failure is only its own.
   */
  private async writeStarts(plans: readonly StartPlan[]): Promise<PromiseSettledResult<PendingStart>[]> {
    try {
      return (await this.insertStarts(this.db.prepared, plans)).map((value) => ({ status: 'fulfilled', value }) as const);
    } catch (error) {
      if (plans.length === 1) {
        const reason = isUnstorableText(error) ? new ValidationFailed('input holds a character that cannot be stored (U+0000)') : error;
        return [{ status: 'rejected', reason }];
      }
      return Promise.all(plans.map(async (plan) => (await this.writeStarts([plan]))[0]!));
    }
  }


  /**
   * Starts a run inside the caller's transaction, so that the run exists if
   * and only if the caller's other writes commit (a schedule firing and its
   * ledger row). Nothing is dispatched: after commit, pass the result to
   * `afterStartCommitted`.
   */
  async startRunInTransaction(client: pg.PoolClient, request: StartRunRequest): Promise<PendingStart> {
    const [start] = await this.insertStarts(client, [await this.planStart(request)]);
    return start!;
  }

  /** Dispatches the root nodes of starts whose transaction has committed: one bulk add for all. */
  async afterStartCommitted(starts: readonly PendingStart[]): Promise<void> {
    const created = starts.filter((s) => s.created);
    await this.dispatch(created.flatMap((start) => start.roots.map((node) => ({ runId: start.id, node, attempt: 1, runAt: start.now }))));
    for (const start of created) {
      this.logger?.info({ runId: uuidToShortId(start.id), workflow: start.workflow }, 'run started');
      this.metrics.runsStarted.inc({ workflow: start.workflow, trigger: TRIGGER_LABEL[start.triggerType] });
    }
  }

  /**
   * Everything a start writes, worked out before its transaction: the
   * definition is read through the pool, which must not wait for a client
   * while the transaction holds one.
   */
  private async planStart(
    request: StartRunRequest,
    resolve: (workflow: string, orgId: string) => Promise<DefinitionVersionRecord> = (workflow, orgId) => this.catalog.resolveForStart(workflow, orgId),
  ): Promise<StartPlan> {
    const orgId = request.orgId ?? DEFAULT_ORG;
    const definition = await resolve(request.workflow, orgId);
    const dag = await this.definitions.dag(definition.id, definition.version);
    const roots: string[] = [];
    const nodes = dag.order.map((name, position) => {
      const spec = dag.nodes.get(name)!;
      const isRoot = dag.parents.get(name)!.length === 0;
      if (isRoot) roots.push(name);
      return { id: newUuid(), name, type: spec.type, position, status: isRoot ? Status.READY : Status.WAIT, parameters: spec.params };
    });
    const row: NewRunRow = {
      id: newUuid(),
      definitionId: definition.id,
      definitionVersion: definition.version,
      workflowName: definition.name,
      orgId,
      owner: request.owner ?? '',
      bizId: request.bizId ?? uuidToShortId(newUuid()),
      bizType: request.bizType ?? '',
      triggerType: request.triggerType ?? TriggerType.MANUAL,
      input: request.input ?? {},
      idempotencyKey: request.idempotencyKey,
      traceId: newTraceId(),
      now: this.now(),
      nodes,
    };
    return { row, roots, dag };
  }

  /**
   * A run this process just inserted is known as inserted (see
   * KnownRunStates): its first success needs no read. Not a run of one node,
   * whose only success ends it: what is known would be held all the while it
   * waits or runs (20,000 held runs of S5) to save one small read.
   */
  private knowInserted({ row, dag }: StartPlan): void {
    const run: LockedRunRow = {
      id: row.id,
      status: Status.READY,
      cancelRequested: false,
      definitionId: row.definitionId,
      definitionVersion: row.definitionVersion,
      orgId: row.orgId,
      workflow: row.workflowName,
      traceId: row.traceId,
      startTime: row.now,
      decisionSeq: 0,
    };
    this.known.record(run, dag, row.nodes.map((n) => ({ name: n.name, status: n.status, attempt: 1, leaseOwner: null })), 0);
  }

  private async insertStarts(db: Queryable, plans: readonly StartPlan[]): Promise<PendingStart[]> {
    if (plans.length === 0) return [];
    const inserted = await insertRuns(db, plans.map((p) => p.row));
    return plans.map(({ row, roots }, i) => ({
      id: inserted[i]!.id,
      seq: inserted[i]!.seq,
      orgId: row.orgId,
      workflow: row.workflowName,
      triggerType: row.triggerType as TriggerType,
      created: inserted[i]!.created,
      roots,
      now: row.now,
    }));
  }

  /** A run with its nodes, by 22-char id or uuid, within an org. */
  async getRun(id: string, orgId = DEFAULT_ORG): Promise<RunWithNodes> {
    const uuid = toRunUuid(id);
    const run = uuid && (await readRun(this.db.pool, orgId, uuid));
    if (!run) throw new RunNotFound(id);
    return run;
  }

  /** A page of an org's runs, newest (or oldest) first, keyset-paged by sequence. */
  listRuns(filter: RunFilter, page: Parameters<typeof listRunsBySeq>[2]): ReturnType<typeof listRunsBySeq> {
    return listRunsBySeq(this.db.pool, filter, page);
  }

  /** A numbered page of an org's runs (OFFSET within MAX_PAGE_DEPTH), for dialects that page by number. */
  listRunsByPage(filter: RunFilter, page: RunPageRequest): Promise<RunRecord[]> {
    return listRunsByPage(this.db.pool, filter, page);
  }

  /** How many runs match a filter. */
  countRuns(filter: RunFilter): Promise<number> {
    return countRuns(this.db.pool, filter);
  }

  /** The run of a definition whose instance stamp reads `yyyyMMddHHmmss` in `timeZone` (EnOS instance ids). */
  async findRunByInstanceStamp(orgId: string, definitionId: number, compactStamp: string, timeZone: string): Promise<RunRecord | undefined> {
    await assignInstanceStamps(this.db, [definitionId]);
    return findRunByInstanceStamp(this.db.pool, orgId, definitionId, compactStamp, timeZone);
  }

  /** The runs with their EnOS instance stamps, assigning any not yet assigned (in start order, per definition). */
  async withInstanceStamps(runs: readonly RunRecord[]): Promise<RunRecord[]> {
    const unstamped = runs.filter((r) => r.instanceStamp === null);
    if (unstamped.length === 0) return [...runs];
    await assignInstanceStamps(this.db, unstamped.map((r) => r.definitionId));
    const stamps = await readInstanceStamps(this.db.pool, unstamped.map((r) => r.uuid));
    return runs.map((r) => (r.instanceStamp === null ? { ...r, instanceStamp: stamps.get(r.uuid) ?? null } : r));
  }

  /** Requests cancellation: pending nodes are cancelled now, running handlers are aborted. */
  cancelRun(id: string, orgId = DEFAULT_ORG): Promise<RunWithNodes> {
    return this.operate(id, orgId, { type: 'CANCEL' });
  }

  /** Holds a run: queued nodes wait in SUSPEND, running ones finish, nothing new starts. */
  suspendRun(id: string, orgId = DEFAULT_ORG): Promise<RunWithNodes> {
    return this.operate(id, orgId, { type: 'SUSPEND' });
  }

  resumeRun(id: string, orgId = DEFAULT_ORG): Promise<RunWithNodes> {
    return this.operate(id, orgId, { type: 'RESUME' });
  }

  /** Reruns a failed or cancelled run from its failed nodes; successful nodes keep their results. */
  rerunRun(id: string, orgId = DEFAULT_ORG): Promise<RunWithNodes> {
    return this.operate(id, orgId, { type: 'RERUN' });
  }

  /** Skips a node that has not been reached yet; its children treat it as satisfied. */
  skipNode(id: string, node: string, orgId = DEFAULT_ORG): Promise<RunWithNodes> {
    return this.operate(id, orgId, { type: 'SKIP_NODE', node });
  }

  private async operate(id: string, orgId: string, event: RunEvent): Promise<RunWithNodes> {
    const uuid = toRunUuid(id);
    if (!uuid) throw new RunNotFound(id);
    await this.transition(uuid, event, { orgId });
    return this.getRun(uuid, orgId);
  }

  /**
   * Applies one event to a run: load its state, decide, write every status
   * change conditionally in one statement, then dispatch and abort. A write
   * that finds the state moved (a worker claimed a node meanwhile, another
   * decision came first) makes the whole decision start over.
   *
   * A node's success whose run's definition is known is decided on state read
   * without a lock, and written only if no other decision about the run came
   * between (its decisionSeq): two round trips, where the locked way — BEGIN,
   * lock, read, write, COMMIT — takes five; one, the write, when what this
   * process's last decision about the run left covers it (KnownRunStates: a
   * chain step whose scope the write that claimed it read ahead, every middle
   * success of a fan-in after the first, a run's first success after this
   * process started it). A success decided again after a
   * stale write, and every other event, goes the locked way, which makes
   * contended runs (a wide join finishing on many workers) queue rather than
   * retry. Node successes reported by workers are group-committed: those
   * arriving while a batch is being decided are decided together next, across
   * runs (see GroupCommit); every other event goes alone.
   */
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
      return (await this.decideTogether(items, decidableUnlocked(items))).map((value) => ({ status: 'fulfilled', value }) as const);
    } catch {
      const runs = new Set(items.map((item) => item.runUuid));
      const parts = runs.size > 1 ? [...runs].map((run) => items.filter((item) => item.runUuid === run)) : items.map((item) => [item]);
      const settled = new Map<RunEventItem, PromiseSettledResult<readonly Command[]>>();
      await Promise.all(parts.map(async (part) => (await this.decideSettled(part)).forEach((result, i) => settled.set(part[i]!, result))));
      return items.map((item) => settled.get(item)!);
    }
  }

  /** Decides one event: unlocked first if it can be, then locked, retried while the state keeps moving. */
  private async decideAlone(item: RunEventItem): Promise<readonly Command[]> {
    for (let attempt = 1; ; attempt++) {
      const unlocked = attempt === 1 && decidableUnlocked([item]);
      try {
        return (await this.decideTogether([item], unlocked))[0]!;
      } catch (error) {
        // Whatever stopped an unlocked decision, the locked way reads the run afresh (or finds it gone).
        const retryable = unlocked || error instanceof StaleDecision || isRetryableTransactionError(error);
        if (!retryable || attempt >= MAX_DECISION_ATTEMPTS) throw error;
      }
    }
  }

  /**
   * Decides events — of one run or of many — together: take the runs' state
   * (what this process's last decision about the run left, else read
   * unlocked, else locked in a transaction), decide each event on the state
   * the previous one leaves, write every change in one statement; then
   * dispatch. One command list per event.
   */
  private async decideTogether(items: readonly RunEventItem[], unlocked: boolean): Promise<(readonly Command[])[]> {
    const ends: RunEnding[] = [];
    const runs = new Map<string, LockedRunRow>();
    const dags = new Map<string, Dag>();
    let releases: Releases = { due: [], held: 0 };
    const reported = new ReportedOutputs(items);
    let claimed: readonly ClaimedNode[] = [];
    let unclaimed: readonly ClaimedNode[] = [];
    const decideOn = async (db: Queryable, states: Map<string, DecisionState>) => {
      for (const [runUuid, { run }] of states) {
        runs.set(runUuid, run);
        dags.set(runUuid, await this.definitions.dag(run.definitionId, run.definitionVersion));
      }
      const now = this.now();
      // Each run's events in turn, on the state the ones before leave; the commands answered in the items' order.
      const perEvent = new Array<readonly Command[]>(items.length);
      for (const [runUuid, indexes] of indexesByRun(items)) {
        const loaded = states.get(runUuid);
        if (!loaded || indexes.some((i) => items[i]!.orgId !== undefined && loaded.run.orgId !== items[i]!.orgId)) throw new RunNotFound(uuidToShortId(runUuid));
        const decided = decideInTurn(loaded.state, indexes.map((i) => items[i]!.event), now);
        states.set(runUuid, { ...loaded, state: decided.state });
        decided.commands.forEach((commands, k) => {
          perEvent[indexes[k]!] = commands;
          const end = commands.find((c) => c.type === 'SET_RUN' && isTerminal(c.to));
          if (end?.type === 'SET_RUN') ends.push({ runUuid, run: loaded.run, status: end.to, endTime: now });
        });
      }
      const decisions = items.map((item, i) => ({ runId: item.runUuid, commands: perEvent[i]!, decisionSeq: runs.get(item.runUuid)!.decisionSeq }));
      releases = this.holdSlotsForReleases(decisions, reported, dags, now);
      const lane = this.localLane;
      const claims = releases.due.slice(0, releases.held);
      // A run known whole (one this process started) needs nothing read ahead: its next step's scope is known already.
      const next = nextStepsToRead(claims)
        .filter((claim) => !this.known.knowsWhole(claim.runId, runs.get(claim.runId)!.decisionSeq))
        .map((claim) => successScopeRequest(claim.runId, dags.get(claim.runId)!, [claim.node]));
      // The rest of the due releases come back with their facts: the lane may run them before it claims them (see UnclaimedRun).
      const releaseClaims = { leaseOwner: lane?.leaseOwner ?? '', leaseMs: lane?.leaseMs ?? 0, attempts: claims, unclaimed: releases.due.slice(releases.held) };
      const written = await applyCommands(db, decisions, now, releaseClaims, next);
      claimed = written.claimed;
      unclaimed = written.unclaimed;
      this.recordKnown(states, dags, written);
      return perEvent;
    };
    let decided: (readonly Command[])[];
    try {
      const known = unlocked ? this.knownSuccessStates(items) : new Map<string, DecisionState>();
      const unknown = items.filter((item) => !known.has(item.runUuid));
      decided =
        unknown.length === 0
          ? await decideOn(this.db.prepared, known)
          : unlocked && decidableUnlocked(unknown)
            ? await decideOn(this.db.prepared, new Map([...known, ...(await loadSuccessStates(this.db.prepared, unknown, this.definitions))]))
            : await inTransaction(this.db, async (client) => decideOn(client, await loadDecisionStates(client, items, this.definitions)), this.db.prepared);
    } catch (error) {
      this.localLane?.runClaimed([], releases.held);
      for (const { runUuid } of items) this.known.forget(runUuid);
      throw error;
    }
    const claimedNow = new AttemptMap<true>();
    for (const c of claimed) claimedNow.set(c.runId, c.name, c.attempt, true);
    if (releases.held > 0) this.localLane!.runClaimed(claimedAttempts(claimed, dags, reported), releases.held - claimed.length);
    const facts = new AttemptMap<ClaimedAttempt>();
    for (const attempt of claimedAttempts(unclaimed, dags, reported)) facts.set(attempt.claimed.runId, attempt.claimed.name, attempt.claimed.attempt, attempt);
    await this.carryOut(
      items.map((item, i) => ({
        runId: item.runUuid,
        commands: claimed.length === 0 ? decided[i]! : decided[i]!.filter((c) => !(c.type === 'ENQUEUE' && claimedNow.get(item.runUuid, c.node, c.attempt))),
      })),
      runs,
      reported,
      facts,
    );
    for (const ending of ends) this.recordRunEnd(ending);
    return decided;
  }

  /** The states of the runs whose successes in `items` are covered by what this process knows of them (see KnownRunStates). */
  private knownSuccessStates(items: readonly RunEventItem[]): Map<string, DecisionState> {
    const successes = new Map<string, ReportedSuccess[]>();
    for (const { runUuid, event } of items) {
      if (event.type !== 'NODE_SUCCEEDED') continue;
      const reported = successes.get(runUuid);
      if (reported) reported.push(event);
      else successes.set(runUuid, [event]);
    }
    const states = new Map<string, DecisionState>();
    for (const [runUuid, reported] of successes) {
      const state = this.known.successState(runUuid, reported);
      if (state) states.set(runUuid, state);
    }
    return states;
  }

  /**
   * Keeps what a committed write left each run of a decision as (see
   * KnownRunStates): the rows it was decided on with its writes applied —
   * the nodes claimed in it RUNNING under this process's lane — and the rows
   * read ahead for the chain steps it claimed (see applyCommands' `next`), at
   * the decisionSeq after the write.
   */
  private recordKnown(
    states: ReadonlyMap<string, DecisionState>,
    dags: ReadonlyMap<string, Dag>,
    written: Awaited<ReturnType<typeof applyCommands>>,
  ): void {
    for (const [runUuid, { run, state }] of states) {
      const rows: NodeStateRow[] = [...(written.nextScope.get(runUuid) ?? [])];
      for (const { name, status, attempt, leaseOwner } of state.nodes) rows.push({ name, status, attempt, leaseOwner: leaseOwner ?? null });
      for (const node of written.claimed) {
        if (node.runId === runUuid) rows.push({ name: node.name, status: Status.RUNNING, attempt: node.attempt, leaseOwner: this.localLane?.leaseOwner ?? null });
      }
      const after = { ...run, status: state.status, cancelRequested: state.cancelRequested, decisionSeq: run.decisionSeq + (written.runsWritten.has(runUuid) ? 1 : 0) };
      this.known.record(after, dags.get(runUuid)!, rows, run.decisionSeq);
    }
  }

  /**
   * Holds slots of the local lane for the nodes these decisions release to
   * run now: as many as it has free are claimed for it in the decisions' write.
   */
  private holdSlotsForReleases(
    decisions: readonly RunDecision[],
    reported: ReportedOutputs,
    dags: ReadonlyMap<string, Dag>,
    now: Date,
  ): Releases {
    if (!this.localLane) return { due: [], held: 0 };
    const due = dueReleases(decisions, dags, reported, now);
    return { due, held: due.length > 0 ? this.localLane.reserve(due.length) : 0 };
  }

  /**
   * The effects that happen after commit: dispatching runnable nodes (one bulk
   * add; each with its parents, read from the run's DAG, and their outputs
   * when all of them were reported in these decisions) and aborting running ones.
   */
  private async carryOut(
    decisions: readonly RunDecision[],
    runs: ReadonlyMap<string, LockedRunRow>,
    reported: ReportedOutputs,
    unclaimed: AttemptMap<ClaimedAttempt>,
  ): Promise<void> {
    const jobs: NodeDispatch[] = [];
    for (const { runId, commands } of decisions) {
      const enqueued = commands.filter((c) => c.type === 'ENQUEUE');
      if (enqueued.length === 0) continue;
      const run = runs.get(runId)!;
      const dag = await this.definitions.dag(run.definitionId, run.definitionVersion);
      for (const { node, attempt, runAt } of enqueued) {
        const parents = dag.parents.get(node) ?? [];
        // An attempt with its facts has its parents' outputs in them already (copied once, not twice).
        const facts = unclaimed.get(runId, node, attempt);
        const outputs = facts
          ? facts.parents
          : parents.every((p) => reported.has(runId, p)) ? Object.fromEntries(parents.map((p) => [p, reported.copy(runId, p)])) : undefined;
        jobs.push({ runId, node, attempt, runAt, parents, ...(outputs ? { parentOutputs: outputs } : {}), ...(facts ? { unclaimed: facts } : {}) });
      }
    }
    await this.dispatch(jobs);
    for (const { runId, commands } of decisions) {
      // READY attempts moved off READY may be running unclaimed, or waiting to, in a worker's local lane.
      if (commands.some((c) => c.type === 'SET_NODE' && c.from === Status.READY && c.to !== Status.SUCCESS)) {
        await publishAbort(this.redis, this.queuePrefix, { runId, readyBefore: this.now().getTime() }).catch(
          (error: unknown) => this.logger?.warn({ err: error, runId: uuidToShortId(runId) }, 'withdrawal of READY attempts not published'),
        );
      }
      for (const command of commands) {
        if (command.type === 'ABORT') {
          await publishAbort(this.redis, this.queuePrefix, { runId, node: command.node, attempt: command.attempt }).catch(
            (error: unknown) => this.logger?.warn({ err: error, runId: uuidToShortId(runId) }, 'abort not published'),
          );
        }
      }
    }
  }

  /** Counts, logs and traces a run reaching a terminal status: the committed decision that ended it happens exactly once. */
  private recordRunEnd({ runUuid, run, status, endTime }: RunEnding): void {
    const name = statusName(status);
    this.metrics.runsFinished.inc({ workflow: run.workflow, status: name });
    this.logger?.info({ runId: uuidToShortId(runUuid), workflow: run.workflow, status: name }, 'run finished');
    emitRunSpan({ uuid: runUuid, workflow: run.workflow, traceId: run.traceId, startTime: run.startTime, endTime, status: name });
  }

  /**
   * Dispatch failures are logged, not thrown: the rows already say READY, and
   * the reconciler re-dispatches READY nodes whose jobs never reached Redis.
   */
  private async dispatch(jobs: readonly NodeDispatch[]): Promise<void> {
    const now = this.now();
    const due = jobs.filter((job) => job.runAt.getTime() <= now.getTime());
    const leftOver = this.localLane && due.length > 0 ? new Set(this.localLane.take(due)) : undefined;
    const queued = leftOver ? jobs.filter((job) => job.runAt.getTime() > now.getTime() || leftOver.has(job)) : jobs;
    try {
      await this.nodeQueue.dispatch(queued, now);
    } catch (error) {
      this.logger?.error({ err: error }, 'dispatch to Redis failed; the reconciler will re-dispatch');
    }
  }

  /** Lets a worker in this process take due attempts without a queue round trip (see LocalLane); `undefined` stops it. */
  runLocally(lane: LocalLane | undefined): void {
    this.localLane = lane;
  }

  async close(): Promise<void> {
    await this.nodeQueue.close();
  }
}

/** Accepts the 22-char id every dialect shows, or the raw uuid. */
export function toRunUuid(id: string): string | undefined {
  if (/^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i.test(id)) return id.toLowerCase();
  return shortIdToUuid(id);
}

/** Released nodes' facts (claimed, or to run unclaimed) as the local lane runs them: with their parents' outputs, reported or read. */
function claimedAttempts(nodes: readonly ClaimedNode[], dags: ReadonlyMap<string, Dag>, reported: ReportedOutputs): ClaimedAttempt[] {
  return nodes.map((node) => {
    const dag = dags.get(node.runId)!;
    const read = node.parentOutputs ?? {};
    const parents: Record<string, unknown> = {};
    for (const p of dag.parents.get(node.name) ?? []) parents[p] = reported.copy(node.runId, p) ?? read[p] ?? null;
    return { claimed: node, dag, parents };
  });
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
