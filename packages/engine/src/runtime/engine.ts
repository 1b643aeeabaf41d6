import type { Queue } from 'bullmq';
import type { RedisConnection } from '../queue/redisConnection.ts';
import type pg from 'pg';
import type { Logger } from 'pino';
import type { Dag } from '../core/dag.ts';
import type { Command, RunEvent } from '../core/runState.ts';
import type { WorkflowSpec, WorkflowSpecInput } from '../core/spec.ts';
import type { WorkflowDefinition } from '../definitions/defineWorkflow.ts';
import type { AuditEntry, AuditFilter, AuditRecord } from '../audit/auditEvent.ts';
import type { BackfillRecord, BackfillRequest } from '../backfill/backfill.ts';
import type { BulkOperationRecord, BulkOperationRequest } from '../bulk/bulkOperation.ts';
import { RunNotFound } from '../errors.ts';
import { HandlerRegistry } from '../handlers/handlerRegistry.ts';
import type { SecretSeal } from '../auth/secretSeal.ts';
import { Notifications } from '../notifications/notifications.ts';
import type { DeliveryRecord } from '../storage/listRunDeliveries.ts';
import type { WebhookRecord } from '../storage/listWebhooks.ts';
import { FlowlineMetrics } from '../metrics/flowlineMetrics.ts';
import { NodeQueue } from '../queue/nodeQueue.ts';
import { ScheduleCatalog, type ScheduleDetail } from '../scheduler/scheduleCatalog.ts';
import type { Database } from '../storage/database.ts';
import type { DefinitionVersionRecord } from '../storage/definitionStore.ts';
import type { DefinitionSummary } from '../storage/listVisibleDefinitions.ts';
import type { FiringRecord } from '../storage/listFirings.ts';
import type { HandlerTypeRecord } from '../storage/listHandlerTypes.ts';
import type { RunFilter, RunSeqPage, RunSeqPageRequest } from '../storage/listRuns.ts';
import type { RunPageRequest } from '../storage/listRunsByPage.ts';
import type { ReplicaState } from '../storage/readReplica.ts';
import type { RunRecord, RunWithNodes } from '../storage/readRun.ts';
import type { ScheduleRecord } from '../storage/readSchedules.ts';
import { DefinitionCache } from './definitionCache.ts';
import { DefinitionCatalog, SHARED_CATALOG_ORG } from './definitionCatalog.ts';
import { createSystems, type EngineSystems } from './engineSystems.ts';
import { KnownMapRuns } from './knownMapRuns.ts';
import { KnownRunStates } from './knownRunStates.ts';
import { RunStartMarks } from './runStartMarks.ts';
import type { WorkerLease } from './systems/claimSystem.ts';
import type { TransitionContext } from './systems/decisionSystem.ts';
import type { RegisteredWorker } from './systems/fleetSystem.ts';
import { toRunUuid } from './systems/historySystem.ts';
import type { PendingStart, StartedRun, StartRunRequest } from './systems/startSystem.ts';
import type { RunFamily, SentSignal, SignalSender } from './systems/waitSystem.ts';
import type { WorkerPort } from './workerPort.ts';

/** The org of records created without an authenticated caller (demo flows, single-tenant installs). */
export const DEFAULT_ORG = SHARED_CATALOG_ORG;

/** What an engine is made with: its connections, queue prefix, handlers, clock, logger, display zone and metrics. */
export interface EngineOptions {
  readonly db: Database;
  readonly redis: RedisConnection;
  /** the BullMQ key prefix (FLOWLINE_QUEUE_PREFIX): installations sharing one Redis each use their own */
  readonly queuePrefix: string;
  /** the node types and code handlers this process can run; default the built-in types */
  readonly registry?: HandlerRegistry;
  readonly logger?: Logger;
  /** the clock; tests pass their own */
  readonly now?: () => Date;
  /** the display zone: schedules that name no zone of their own fire in it; default the host's */
  readonly timeZone?: string;
  /** the process's metrics; default: a registry of this engine's own */
  readonly metrics?: FlowlineMetrics;
  /** seals the webhook secrets of notifications (FLOWLINE_SEAL_KEY); a definition declaring webhooks is refused without one */
  readonly seal?: SecretSeal;
}

/** Reads an engine's systems: for the engine package's own loops (Reconciler, SchedulerLoop), never exported from it. */
let systemsOfEngine: (engine: Engine) => EngineSystems;

/**
 * The engine: every process role (api, worker, scheduler) holds one, and they
 * coordinate only through Postgres and Redis. A facade: each method is one
 * delegation to the system that owns the work (see EngineSystems and
 * docs/architecture.md); connections and caches stay inside.
 */
export class Engine {
  readonly #systems: EngineSystems;
  /** The engine's clock (a function, so it can be handed on). */
  readonly now: () => Date;

  static {
    systemsOfEngine = (engine) => engine.#systems;
  }

  constructor(options: EngineOptions) {
    const now = (this.now = options.now ?? (() => new Date()));
    const registry = options.registry ?? new HandlerRegistry();
    const metrics = options.metrics ?? new FlowlineMetrics();
    const queues: Queue[] = [];
    const nodeQueue = new NodeQueue(options.redis, options.queuePrefix, (queue) => queues.push(queue));
    metrics.watchQueues(() => queues);
    const replica = options.db.readReplica;
    if (replica) metrics.watchReadReplica(() => replica.current());
    const definitions = new DefinitionCache(options.db);
    const schedules = new ScheduleCatalog(options.db, now, options.timeZone ?? Intl.DateTimeFormat().resolvedOptions().timeZone);
    const notifications = new Notifications(options.db, options.seal, now, metrics, options.logger);
    this.#systems = createSystems({
      db: options.db,
      redis: options.redis,
      queuePrefix: options.queuePrefix,
      nodeQueue,
      registry,
      definitions,
      catalog: new DefinitionCatalog(options.db, registry, now, schedules, definitions, notifications),
      schedules,
      notifications,
      known: new KnownRunStates(),
      knownMaps: new KnownMapRuns(),
      runStarts: new RunStartMarks(options.db, now, options.logger),
      logger: options.logger,
      now,
      metrics,
    });
  }

  /** The process's metrics registry, which `/metrics` exposes. */
  get metrics(): FlowlineMetrics {
    return this.#systems.resources.metrics;
  }

  /** The process's logger, if it has one. */
  get logger(): Logger | undefined {
    return this.#systems.resources.logger;
  }


  // Definitions

  /**
   * Registers a code-defined workflow's handlers here (with their descriptions
   * and the workflow's input schema, what this process's workers register as
   * handler types) and stores its spec (a new version if it changed).
   */
  async registerWorkflow(definition: WorkflowDefinition, orgId = DEFAULT_ORG): Promise<DefinitionVersionRecord> {
    const { registry } = this.#systems.resources;
    const { input } = definition.spec;
    for (const [name, handler] of definition.handlers) {
      const description = handler.description === undefined ? {} : { description: handler.description };
      registry.register(name, handler.run, { ...description, ...(input ? { inputSchema: input } : {}) });
    }
    return this.applyDefinition(definition.spec, orgId);
  }

  /** Validates a spec (schema, DAG, node types, code handlers) and stores it: a new version if it changed. */
  applyDefinition(input: WorkflowSpecInput | WorkflowSpec, orgId = DEFAULT_ORG): Promise<DefinitionVersionRecord> {
    return this.#systems.resources.catalog.apply(input, orgId);
  }

  /** Creates a definition; refused if the org has one of that name. */
  createDefinition(input: WorkflowSpecInput, orgId: string): Promise<DefinitionVersionRecord> {
    return this.#systems.resources.catalog.create(input, orgId);
  }

  /** Stores a new version of an org's definition; runs already started keep theirs. */
  updateDefinition(name: string, input: WorkflowSpecInput, orgId: string): Promise<DefinitionVersionRecord> {
    return this.#systems.resources.catalog.update(name, input, orgId);
  }

  /** The latest version of the definition an org sees by that name: its own, else the shared catalog's (its `orgId` says which). */
  getDefinition(name: string, orgId: string): Promise<DefinitionVersionRecord> {
    return this.#systems.resources.catalog.get(name, orgId);
  }

  /** A definition by its numeric id (EnOS flowId, Explorer workflowId), if the org may see it. */
  getDefinitionById(id: number, orgId: string): Promise<{ id: number; orgId: string; name: string }> {
    return this.#systems.resources.catalog.getById(id, orgId);
  }

  /** The definitions an org may start, by name: its own and the shared catalog's it does not shadow (marked `shared`). */
  listDefinitions(orgId: string): Promise<DefinitionSummary[]> {
    return this.#systems.resources.catalog.list(orgId);
  }

  /** Deletes an org's definition; its runs stay. */
  deleteDefinition(name: string, orgId: string): Promise<void> {
    return this.#systems.resources.catalog.delete(name, orgId);
  }

  /** The compiled DAG of a definition version (what a run pinned to it runs). */
  definitionDag(definitionId: number, version: number): Promise<Dag> {
    return this.#systems.resources.definitions.dag(definitionId, version);
  }

  /** A definition version's spec as stored. */
  definitionSpec(definitionId: number, version: number): Promise<WorkflowSpec> {
    return this.#systems.resources.definitions.spec(definitionId, version);
  }

  // Runs

  /**
   * Starts a run: the run and all its node rows are written in one statement
   * (roots READY, the rest WAIT), then the roots are dispatched; concurrent
   * starts are written together (see StartSystem).
   */
  startRun(request: StartRunRequest): Promise<StartedRun> {
    return this.#systems.starts.startRun(request);
  }

  /**
   * Starts many runs in one statement and one dispatch; each start is
   * answered on its own, in order (a failed start does not fail the others).
   */
  startRuns(requests: readonly StartRunRequest[]): Promise<PromiseSettledResult<StartedRun>[]> {
    return this.#systems.starts.startRuns(requests);
  }

  /** Starts a run inside the caller's transaction; nothing is dispatched until `afterStartCommitted`. */
  startRunInTransaction(client: pg.PoolClient, request: StartRunRequest): Promise<PendingStart> {
    return this.#systems.starts.startRunInTransaction(client, request);
  }

  /** Dispatches the roots of starts whose transaction has committed. */
  afterStartCommitted(starts: readonly PendingStart[]): Promise<void> {
    return this.#systems.starts.afterStartCommitted(starts);
  }

  /** A run with its nodes, by 22-char id or uuid, within an org. */
  getRun(id: string, orgId = DEFAULT_ORG): Promise<RunWithNodes> {
    return this.#systems.history.getRun(id, orgId);
  }

  /** A page of an org's runs, newest (or oldest) first, keyset-paged by sequence. */
  listRuns(filter: RunFilter, page: RunSeqPageRequest): Promise<RunSeqPage> {
    return this.#systems.history.listRuns(filter, page);
  }

  /** A numbered page of an org's runs (OFFSET within MAX_PAGE_DEPTH), for dialects that page by number. */
  listRunsByPage(filter: RunFilter, page: RunPageRequest): Promise<RunRecord[]> {
    return this.#systems.history.listRunsByPage(filter, page);
  }

  /** How many runs match a filter. */
  countRuns(filter: RunFilter): Promise<number> {
    return this.#systems.history.countRuns(filter);
  }

  /** The run of a definition whose instance stamp reads `yyyyMMddHHmmss` in `timeZone` (EnOS instance ids). */
  findRunByInstanceStamp(orgId: string, definitionId: number, compactStamp: string, timeZone: string): Promise<RunRecord | undefined> {
    return this.#systems.history.findRunByInstanceStamp(orgId, definitionId, compactStamp, timeZone);
  }

  /** The runs with their EnOS instance stamps, assigning any not yet assigned (in start order, per definition). */
  withInstanceStamps(runs: readonly RunRecord[]): Promise<RunRecord[]> {
    return this.#systems.history.withInstanceStamps(runs);
  }

  /** Requests cancellation: pending nodes are cancelled now, running handlers are aborted. */
  cancelRun(id: string, orgId = DEFAULT_ORG): Promise<RunWithNodes> {
    return this.operate(id, orgId, { type: 'CANCEL' });
  }

  /** Holds a run: queued nodes wait in SUSPEND, running ones finish, nothing new starts. */
  suspendRun(id: string, orgId = DEFAULT_ORG): Promise<RunWithNodes> {
    return this.operate(id, orgId, { type: 'SUSPEND' });
  }

  /** Resumes a suspended run: its suspended nodes are queued again. */
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

  /**
   * Sends a signal to a live run: kept until a `wait` (or `approval`) node
   * waiting for its name takes it, at once if one is waiting.
   */
  sendSignal(id: string, name: string, payload: unknown, sender: SignalSender): Promise<SentSignal> {
    return this.#systems.waits.sendSignal(id, name, payload, sender);
  }

  /** Approves or rejects an approval node waiting for its decision; who and when are its output. */
  decideApproval(id: string, node: string, decision: { approved: boolean; reason?: string }, sender: SignalSender): Promise<SentSignal> {
    return this.#systems.waits.decideApproval(id, node, decision, sender);
  }

  /** The run that started a run (a `workflow` node's) and the runs it started; by uuid, of a run the caller has read within its org. */
  runFamily(runUuid: string): Promise<RunFamily> {
    return this.#systems.waits.family(runUuid);
  }

  /**
   * Applies one event to a run (by uuid): decided through the pure core on the
   * run's state, written in one conditional statement, then dispatched (see
   * DecisionSystem). Answers the commands decided; none when the event lost a race.
   */
  transition(runUuid: string, event: RunEvent, context: TransitionContext = {}): Promise<readonly Command[]> {
    return this.#systems.decisions.transition(runUuid, event, context);
  }

  private async operate(id: string, orgId: string, event: RunEvent): Promise<RunWithNodes> {
    const uuid = toRunUuid(id);
    if (!uuid) throw new RunNotFound(id);
    await this.transition(uuid, event, { orgId });
    return this.getRun(uuid, orgId);
  }

  // Schedules

  /** The schedules of an org's definitions (of one workflow, if named). */
  listSchedules(orgId: string, workflow?: string): Promise<ScheduleRecord[]> {
    return this.#systems.resources.schedules.list(orgId, workflow);
  }

  /** A schedule with its firing counts per outcome. */
  getSchedule(id: string, orgId: string): Promise<ScheduleDetail> {
    return this.#systems.resources.schedules.get(id, orgId);
  }

  /** A schedule's next `count` fire times after now. */
  previewSchedule(id: string, orgId: string, count: number): Promise<{ schedule: ScheduleRecord; fireTimes: Date[] }> {
    return this.#systems.resources.schedules.preview(id, orgId, count);
  }

  /** A page of a schedule's firing ledger, newest fire time first. */
  listFirings(id: string, orgId: string, page: { limit: number; before?: Date }): Promise<{ firings: FiringRecord[]; nextBefore: Date | undefined }> {
    return this.#systems.resources.schedules.firings(id, orgId, page);
  }

  /** Pauses a schedule: no fire time is decided until it is resumed. */
  pauseSchedule(id: string, orgId: string): Promise<ScheduleDetail> {
    return this.#systems.resources.schedules.pause(id, orgId);
  }

  /** Resumes a schedule from its next fire time after now. */
  resumeSchedule(id: string, orgId: string): Promise<ScheduleDetail> {
    return this.#systems.resources.schedules.resume(id, orgId);
  }

  // Operating: the audit trail

  /** Appends one state-changing call to the audit trail (each surface does, once per call); resolves once committed. */
  recordAudit(entry: AuditEntry): Promise<void> {
    return this.#systems.audit.record(entry);
  }

  /** A page of the audit trail, newest first: an org's, or every org's when `filter.orgId` is undefined. */
  listAudit(filter: AuditFilter, page: { limit: number; beforeId?: number }): Promise<{ events: AuditRecord[]; nextBeforeId: number | undefined }> {
    return this.#systems.audit.list(filter, page);
  }

  // Operating: bulk operations over runs

  /** Records a bulk cancel, rerun or resume (by ids or a filter); any process's bulk loop works it off in batches. */
  requestBulkOperation(request: BulkOperationRequest): Promise<BulkOperationRecord> {
    return this.#systems.bulk.request(request);
  }

  /** One of an org's bulk operations, with its progress as of its last batch. */
  getBulkOperation(id: string, orgId: string): Promise<BulkOperationRecord> {
    return this.#systems.bulk.get(id, orgId);
  }

  /** An org's latest bulk operations, newest first. */
  listBulkOperations(orgId: string, limit = 50): Promise<BulkOperationRecord[]> {
    return this.#systems.bulk.list(orgId, limit);
  }

  /** Stops a running bulk operation after its batch in progress; what it did stays done. */
  stopBulkOperation(id: string, orgId: string): Promise<BulkOperationRecord> {
    return this.#systems.bulk.stop(id, orgId);
  }

  // Operating: backfills of schedules

  /** Records a backfill of a schedule over a past range [from, to); any process's backfill loop works it off in batches. */
  requestBackfill(request: BackfillRequest): Promise<BackfillRecord> {
    return this.#systems.backfills.request(request);
  }

  /** One of an org's backfills, with its progress as of its last batch. */
  getBackfill(id: string, orgId: string): Promise<BackfillRecord> {
    return this.#systems.backfills.get(id, orgId);
  }

  /** A schedule's latest backfills, newest first. */
  listBackfills(scheduleId: string, orgId: string, limit = 50): Promise<BackfillRecord[]> {
    return this.#systems.backfills.list(scheduleId, orgId, limit);
  }

  /** Stops a running backfill after its batch in progress; the runs it started go on. */
  stopBackfill(id: string, orgId: string): Promise<BackfillRecord> {
    return this.#systems.backfills.stop(id, orgId);
  }

  // Operating: notifications

  /** A definition's webhooks (their secrets are shown only when a definition declares them first). */
  definitionWebhooks(definitionId: number): Promise<WebhookRecord[]> {
    return this.#systems.resources.notifications.webhooks(definitionId);
  }

  /** A run's notifications: each event delivered, pending or given up, with its attempts. */
  async runNotifications(id: string, orgId: string): Promise<DeliveryRecord[]> {
    const run = await this.getRun(id, orgId);
    return this.#systems.resources.notifications.runDeliveries(run.uuid, orgId);
  }

  // Workers and the process

  /** The port a worker reaches the engine through, bound to its lease (see WorkerPort). */
  workerPort(lease: WorkerLease): WorkerPort {
    return this.#systems.workers.port(lease);
  }

  /**
   * Registers a worker in Postgres with the handler types this process runs,
   * heartbeated every third of `leaseMs` until stopped (see FleetSystem).
   */
  registerWorker(worker: { readonly id: string; readonly leaseMs: number }): Promise<RegisteredWorker> {
    return this.#systems.fleet.registerWorker(worker);
  }

  /** Every registered handler type, with the live workers serving it (`GET /v1/handlers`). */
  listHandlerTypes(): Promise<readonly HandlerTypeRecord[]> {
    return this.#systems.fleet.listHandlerTypes();
  }

  /** Which of these handler types some live worker serves (what a READY node waits for, see FleetSystem). */
  servedHandlerTypes(names: readonly string[]): Promise<ReadonlySet<string>> {
    return this.#systems.fleet.servedHandlerTypes(names);
  }

  /** Whether Postgres and Redis answer, for readiness: for each, undefined when it does, else why not. */
  async checkHealth(): Promise<{ postgres: string | undefined; redis: string | undefined; readReplica?: ReplicaState }> {
    const { db, redis } = this.#systems.resources;
    const [postgres, pong] = await Promise.allSettled([db.pool.query('SELECT 1'), redis.ping()]);
    const why = (check: PromiseSettledResult<unknown>) => (check.status === 'fulfilled' ? undefined : String((check.reason as Error)?.message ?? check.reason));
    // A lagging or lost replica is a detail, not unreadiness: history reads fall back to the primary.
    return { postgres: why(postgres), redis: why(pong), ...(db.readReplica ? { readReplica: db.readReplica.current() } : {}) };
  }

  /** Closes the engine's queue connection; the caller owns the database and Redis connections. */
  async close(): Promise<void> {
    this.#systems.resources.runStarts.stop();
    await this.#systems.resources.nodeQueue.close();
  }
}

/** An engine's systems, for the engine package's own loops; not part of the package's public surface. */
export function systemsOf(engine: Engine): EngineSystems {
  return systemsOfEngine(engine);
}
