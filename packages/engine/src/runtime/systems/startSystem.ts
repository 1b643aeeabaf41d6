import type pg from 'pg';
import type { Dag } from '../../core/dag.ts';
import { statusAtStart } from '../../core/statusAtStart.ts';
import { newRunId, newUuid, uuidToShortId } from '../../core/ids.ts';
import { checkRunInput } from '../../definitions/runInput.ts';
import { Status } from '../../core/status.ts';
import { ValidationFailed } from '../../errors.ts';
import { newTraceId } from '../../tracing/runTracing.ts';
import type { DefinitionVersionRecord } from '../../storage/definitionStore.ts';
import { insertAdmissions, type NewAdmission } from '../../storage/insertAdmissions.ts';
import { insertRuns, type NewRunRow } from '../../storage/insertRuns.ts';
import { concurrencyKeyOf } from '../../core/concurrencySpec.ts';
import { inTransaction, type Queryable } from '../../storage/database.ts';
import type { LockedRunRow } from '../../storage/lockRun.ts';
import type { RunWithNodes } from '../../storage/readRun.ts';
import { isUnstorableText } from '../../storage/sqlState.ts';
import { SHARED_CATALOG_ORG } from '../definitionCatalog.ts';
import type { EngineResources } from '../engineResources.ts';
import { queueOf } from '../../queue/nodeRouting.ts';
import { MAX_RUN_PRIORITY, MIN_RUN_PRIORITY } from '../../queue/nodePriority.ts';
import { GroupCommit } from '../groupCommit.ts';
import { runAsInserted } from '../runAsInserted.ts';
import type { AdmissionSystem } from './admissionSystem.ts';
import type { DispatchSystem } from './dispatchSystem.ts';
import type { HistorySystem } from './historySystem.ts';

/** EnOS instance types, kept on every run. */
export const TriggerType = { MANUAL: 0, PERIODIC: 1, TEMPORARY: 2 } as const;
export type TriggerType = (typeof TriggerType)[keyof typeof TriggerType];

const TRIGGER_LABEL = { 0: 'manual', 1: 'periodic', 2: 'temporary' } as const;

/** A request to start a run of a workflow. */
export interface StartRunRequest {
  /** the definition's name, in the caller's org or the shared catalog */
  readonly workflow: string;
  /** the org the run belongs to; default the shared catalog's */
  readonly orgId?: string;
  /** who started it, as the records show */
  readonly owner?: string;
  /** the caller's business key (TiEM bizId); default a fresh id */
  readonly bizId?: string;
  readonly bizType?: string;
  /** handed to every node as `ctx.input` */
  readonly input?: unknown;
  /** a second start with the same key answers the first run instead of starting another */
  readonly idempotencyKey?: string;
  readonly triggerType?: TriggerType;
  /** when the run was due, if not now: a backfilled fire time (EnOS trigger time, instance ids) */
  readonly triggerTime?: Date;
  /** how soon its nodes are dispatched before other runs' (-1000 to 1000, higher first; default 0), see queue/nodePriority.ts */
  readonly priority?: number;
}

/** A started run, as written. */
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
  /** the root nodes to dispatch now, each with its queue (see nodeRouting.ts); none for a run waiting for admission */
  readonly roots: readonly { readonly node: string; readonly queue: string }[];
  readonly priority: number;
  /** a run of a workflow with a concurrency limit: admitted after commit (AdmissionSystem) */
  readonly waitsForAdmission: boolean;
  readonly now: Date;
}

/** Everything a start writes, worked out before its statement. */
interface StartPlan {
  readonly row: NewRunRow;
  readonly roots: PendingStart['roots'];
  readonly dag: Dag;
  /** set for a workflow with a concurrency limit: the run starts waiting for a slot, its roots held in WAIT */
  readonly admission?: Pick<NewAdmission, 'key' | 'limit'>;
}

type ResolveDefinition = (workflow: string, orgId: string) => Promise<DefinitionVersionRecord>;

/**
 * Starting runs: a run and all its node rows are written in one statement
 * (roots READY, the rest WAIT), then the roots are dispatched. Starts are
 * group-committed: those asked for while a batch is being written are
 * written together next, one statement and one dispatch for all.
 */
export class StartSystem {
  /** Starts asked for in this process, written in group-committed batches. */
  private readonly starts = new GroupCommit<StartRunRequest, StartedRun>((requests) => this.startBatch(requests));

  constructor(
    private readonly resources: EngineResources,
    private readonly dispatch: DispatchSystem,
    private readonly history: HistorySystem,
    private readonly admission: AdmissionSystem,
  ) {}

  startRun(request: StartRunRequest): Promise<StartedRun> {
    return this.starts.submit(request);
  }

  /**
   * Starts many runs at once (`POST /v1/runs:batch`): one statement writes
   * them all and one bulk add dispatches their roots, without waiting behind
   * the group commit's batches. Each start is answered on its own, in order:
   * one that cannot be planned or written fails alone.
   */
  startRuns(requests: readonly StartRunRequest[]): Promise<PromiseSettledResult<StartedRun>[]> {
    return this.startBatch(requests);
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
    await this.dispatch.dispatchDue(
      created.flatMap((start) => start.roots.map(({ node, queue }) => ({ runId: start.id, node, attempt: 1, queue, runAt: start.now, ...(start.priority ? { priority: start.priority } : {}) }))),
    );
    // Failing here leaves the runs waiting for the admission loop, not lost: the start stands.
    if (created.some((s) => s.waitsForAdmission)) await this.admission.admit().catch((error: unknown) => this.resources.logger?.warn({ err: error }, 'admission after start failed; the admission loop admits the runs'));
    for (const start of created) {
      this.resources.logger?.info({ runId: uuidToShortId(start.id), workflow: start.workflow }, 'run started');
      this.resources.metrics.runsStarted.inc({ workflow: start.workflow, trigger: TRIGGER_LABEL[start.triggerType] });
    }
  }

  /** Writes a batch of starts; a start that cannot be planned (unknown workflow) fails alone. */
  private async startBatch(requests: readonly StartRunRequest[]): Promise<PromiseSettledResult<StartedRun>[]> {
    const definitions = new Map<string, Promise<DefinitionVersionRecord>>();
    const resolve: ResolveDefinition = (workflow, orgId) => {
      const key = `${orgId}\0${workflow}`;
      if (!definitions.has(key)) definitions.set(key, this.resources.catalog.resolveForStart(workflow, orgId));
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
      // A waiting run's roots are released by its admission, which what is known would not see.
      if (start.created && plan.dag.order.length > 1 && !plan.admission) this.knowInserted(plan);
      const run = start.created ? runAsInserted(plan.row, start.seq) : await this.history.readRun(start.orgId, start.id);
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
      // Runs waiting for admission are inserted with their admission rows, atomically.
      const write = plans.some((p) => p.admission) ? inTransaction(this.resources.db, (client) => this.insertStarts(client, plans)) : this.insertStarts(this.resources.db.pool, plans);
      return (await write).map((value) => ({ status: 'fulfilled', value }) as const);
    } catch (error) {
      if (plans.length === 1) {
        const reason = isUnstorableText(error) ? new ValidationFailed('input holds a character that cannot be stored (U+0000)') : error;
        return [{ status: 'rejected', reason }];
      }
      return Promise.all(plans.map(async (plan) => (await this.writeStarts([plan]))[0]!));
    }
  }

  /**
   * Everything a start writes, worked out before its statement: the
   * definition is read through the pool, which must not wait for a client
   * while a transaction holds one.
   */
  private async planStart(
    request: StartRunRequest,
    resolve: ResolveDefinition = (workflow, orgId) => this.resources.catalog.resolveForStart(workflow, orgId),
  ): Promise<StartPlan> {
    const orgId = request.orgId ?? SHARED_CATALOG_ORG;
    const definition = await resolve(request.workflow, orgId);
    // Refused here, before anything is written: a start whose input fails the schema leaves no run row.
    checkRunInput(definition.spec, request.input);
    const priority = request.priority ?? 0;
    if (!Number.isInteger(priority) || priority < MIN_RUN_PRIORITY || priority > MAX_RUN_PRIORITY) {
      throw new ValidationFailed(`priority: an integer from ${MIN_RUN_PRIORITY} to ${MAX_RUN_PRIORITY}, not ${priority}`);
    }
    const dag = await this.resources.definitions.dag(definition.id, definition.version);
    const roots: { node: string; queue: string }[] = [];
    const limit = definition.spec.concurrency;
    const nodes = dag.order.map((name, position) => {
      const spec = dag.nodes.get(name)!;
      if (dag.parents.get(name)!.length === 0) roots.push({ node: name, queue: queueOf(spec) });
      // A limited run's roots wait for its admission (storage/admitRuns.ts), which makes them READY.
      return { id: newUuid(), name, type: spec.type, position, status: statusAtStart(dag, name, !limit), parameters: spec.params };
    });
    const now = this.resources.now();
    const row: NewRunRow = {
      id: newRunId(now),
      definitionId: definition.id,
      definitionVersion: definition.version,
      workflowName: definition.name,
      orgId,
      owner: request.owner ?? '',
      bizId: request.bizId ?? uuidToShortId(newUuid()),
      bizType: request.bizType ?? '',
      triggerType: request.triggerType ?? TriggerType.MANUAL,
      ...(request.triggerTime === undefined ? {} : { triggerTime: request.triggerTime }),
      input: request.input ?? {},
      idempotencyKey: request.idempotencyKey,
      traceId: newTraceId(),
      priority,
      now,
      nodes,
    };
    return { row, roots, dag, ...(limit ? { admission: { key: concurrencyKeyOf(limit, request.input), limit: limit.limit } } : {}) };
  }

  private async insertStarts(db: Queryable, plans: readonly StartPlan[]): Promise<PendingStart[]> {
    if (plans.length === 0) return [];
    const inserted = await insertRuns(db, plans.map((p) => p.row));
    await insertAdmissions(
      db,
      plans.flatMap(({ row, roots, admission }, i) =>
        admission && inserted[i]!.created
          ? [{ runId: row.id, orgId: row.orgId, workflowName: row.workflowName, seq: inserted[i]!.seq, roots, ...admission }]
          : [],
      ),
    );
    return plans.map(({ row, roots, admission }, i) => ({
      id: inserted[i]!.id,
      seq: inserted[i]!.seq,
      orgId: row.orgId,
      workflow: row.workflowName,
      triggerType: row.triggerType as TriggerType,
      created: inserted[i]!.created,
      roots: admission ? [] : roots,
      priority: row.priority,
      waitsForAdmission: admission !== undefined,
      now: row.now,
    }));
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
      priority: row.priority,
    };
    this.resources.known.record(run, dag, row.nodes.map((n) => ({ name: n.name, status: n.status, attempt: 1, leaseOwner: null })), 0);
  }
}
