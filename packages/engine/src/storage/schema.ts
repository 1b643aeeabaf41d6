import { sql } from 'drizzle-orm';
import {
  bigint,
  boolean,
  index,
  integer,
  jsonb,
  pgSequence,
  pgTable,
  primaryKey,
  smallint,
  text,
  timestamp,
  uniqueIndex,
  uuid,
} from 'drizzle-orm/pg-core';
import type { WorkflowSpec } from '../core/spec.ts';

const tz = (name: string) => timestamp(name, { withTimezone: true, mode: 'date' });

/** A named workflow of an org; its DAG lives in immutable versions. */
export const definitions = pgTable(
  'definitions',
  {
    id: bigint('id', { mode: 'number' }).primaryKey().generatedAlwaysAsIdentity({ startWith: 1000 }),
    orgId: text('org_id').notNull(),
    name: text('name').notNull(),
    latestVersion: integer('latest_version').notNull(),
    description: text('description').notNull().default(''),
    createdAt: tz('created_at').notNull().defaultNow(),
    updatedAt: tz('updated_at').notNull().defaultNow(),
    deletedAt: tz('deleted_at'),
  },
  (t) => [uniqueIndex('definitions_org_name_live').on(t.orgId, t.name).where(sql`${t.deletedAt} IS NULL`)],
);

/** One immutable version of a definition's DAG. Runs pin the version they started on. */
export const definitionVersions = pgTable(
  'definition_versions',
  {
    definitionId: bigint('definition_id', { mode: 'number' })
      .notNull()
      .references(() => definitions.id, { onDelete: 'cascade' }),
    version: integer('version').notNull(),
    spec: jsonb('spec').$type<WorkflowSpec>().notNull(),
    createdAt: tz('created_at').notNull().defaultNow(),
  },
  (t) => [primaryKey({ columns: [t.definitionId, t.version] })],
);

/**
 * Where run seqs come from. A sequence of its own, not an identity column:
 * Postgres before 17 allows none on a partitioned table.
 */
export const workflowRunsSeq = pgSequence('workflow_runs_seq_seq');

/**
 * One execution of a definition. `seq` is the monotonic number the history
 * dialects page by (Explorer job id, Tencent NextToken); `id` is the uuid shown
 * as 22-char base64url. Status is the EnOS code.
 *
 * Partitioned by range of `id` (the run_partitions migration): a run id is a
 * UUIDv7 (core/ids.ts), so its first 48 bits are its start time and each
 * partition holds the runs started in one period. Every key already contains
 * the id, so a statement that names a run reads one partition; node_runs and
 * node_attempts are partitioned on `run_id` by the same bounds, and a period's
 * three partitions are created ahead and dropped together (runPartitions.ts).
 * Unique indexes would have to contain the id: `seq` is unique by its
 * sequence, instance stamps by their assignment under a lock, and idempotency
 * keys live in run_idempotency_keys.
 */
export const workflowRuns = pgTable(
  'workflow_runs',
  {
    id: uuid('id').primaryKey(),
    seq: bigint('seq', { mode: 'number' })
      .notNull()
      .default(sql`nextval('workflow_runs_seq_seq')`),
    definitionId: bigint('definition_id', { mode: 'number' })
      .notNull()
      .references(() => definitions.id),
    definitionVersion: integer('definition_version').notNull(),
    workflowName: text('workflow_name').notNull(),
    orgId: text('org_id').notNull(),
    owner: text('owner').notNull().default(''),
    bizId: text('biz_id').notNull(),
    bizType: text('biz_type').notNull().default(''),
    /** EnOS type: 0 manual, 1 periodic (cron), 2 temporary */
    triggerType: smallint('trigger_type').notNull().default(0),
    status: smallint('status').notNull(),
    cancelRequested: boolean('cancel_requested').notNull().default(false),
    /**
     * Bumped by every committed decision about the run (applyCommands). A
     * decision made on state read without a lock commits only if this still
     * holds what it read: no other decision came between its read and its write.
     */
    decisionSeq: integer('decision_seq').notNull().default(0),
    /** how soon its nodes are dispatched before others' (a start's priority, 0 to 100; higher first, see queue/nodePriority.ts) */
    priority: smallint('priority').notNull().default(0),
    input: jsonb('input').notNull().default({}),
    idempotencyKey: text('idempotency_key'),
    /** OpenTelemetry trace id (32 hex) of the run's spans, whether or not tracing is exported */
    traceId: text('trace_id'),
    triggerTime: tz('trigger_time').notNull(),
    /**
     * The trigger time to the second, unique within the definition: EnOS shows a
     * run as `<flowId>-<yyyyMMddHHmmss>`, so two starts of one flow in the same
     * second take the next free second (see assignInstanceStamps). Null only for rows older
     * than the column.
     */
    instanceStamp: tz('instance_stamp'),
    startTime: tz('start_time'),
    endTime: tz('end_time'),
    createdAt: tz('created_at').notNull(),
    updatedAt: tz('updated_at').notNull(),
    deletedAt: tz('deleted_at'),
  },
  (t) => [
    index('workflow_runs_seq').on(t.seq),
    // History lists are "newest first within an org", optionally filtered: keyset on seq.
    // Partial on live rows: every history query says `deleted_at IS NULL`, so page-1 totals
    // (TiEM page.total, Explorer total) are index-only counts (100k runs: 40 ms → 9 ms).
    index('workflow_runs_org_seq').on(t.orgId, t.seq.desc()).where(sql`${t.deletedAt} IS NULL`),
    index('workflow_runs_org_workflow_seq').on(t.orgId, t.workflowName, t.seq.desc()).where(sql`${t.deletedAt} IS NULL`),
    index('workflow_runs_org_status_seq').on(t.orgId, t.status, t.seq.desc()).where(sql`${t.deletedAt} IS NULL`),
    index('workflow_runs_org_biz').on(t.orgId, t.bizId),
    // EnOS search: its trigger type and trigger-time window are mandatory, its default order is
    // newest trigger first, seq breaking ties; the full key makes a deep page (row 9,950) one
    // index range without a sort (1M runs: 20 ms → 6 ms).
    index('workflow_runs_org_type_trigger_time')
      .on(t.orgId, t.triggerType, t.triggerTime.desc(), t.seq.desc())
      .where(sql`${t.deletedAt} IS NULL`),
    // EnOS sorter end_time (most recently ended first): walked in order and filtered, instead of
    // sorting every run in the window (1M runs, name expression: 270 ms → 0.5 ms).
    index('workflow_runs_org_type_end_time')
      .on(t.orgId, t.triggerType, t.endTime.desc(), t.seq.desc())
      .where(sql`${t.deletedAt} IS NULL`),
    index('workflow_runs_definition_instance_stamp').on(t.definitionId, t.instanceStamp),
    // The reconciler only ever looks at live runs; keep that set in a small index.
    index('workflow_runs_live').on(t.updatedAt).where(sql`${t.status} NOT IN (-1, 1, 4, 7, 8, 10)`),
    // Retention deletes finished runs oldest-ended first, in small batches: each batch one index range.
    index('workflow_runs_ended').on(t.endTime).where(sql`${t.status} IN (-1, 1, 4, 7, 8, 10)`),
  ],
);

/**
 * The idempotency keys of runs, one per org: the unique index that makes 20
 * simultaneous identical starts one run (insertRuns), which workflow_runs, a
 * partitioned table, cannot hold unless it contains the run id. Deleted with
 * the run.
 */
export const runIdempotencyKeys = pgTable(
  'run_idempotency_keys',
  {
    orgId: text('org_id').notNull(),
    idempotencyKey: text('idempotency_key').notNull(),
    runId: uuid('run_id').notNull(),
  },
  (t) => [
    primaryKey({ name: 'run_idempotency_keys_pkey', columns: [t.orgId, t.idempotencyKey] }),
    // Retention deletes a dropped period's keys by run id range.
    index('run_idempotency_keys_run').on(t.runId),
  ],
);

/**
 * The periods that have their own partitions of workflow_runs, node_runs and
 * node_attempts, [from_time, to_time): runs whose UUIDv7 id falls in one. Runs
 * outside every period (ids from before partitioning, UUIDv4) are in the
 * default partitions (`*_legacy`).
 */
export const runPartitions = pgTable('run_partitions', {
  fromTime: tz('from_time').primaryKey(),
  toTime: tz('to_time').notNull(),
});

/** A group of runs (the columns the paged dialects' totals filter on) and how many runs it has. */
const runCountColumns = () => ({
  orgId: text('org_id').notNull(),
  definitionId: bigint('definition_id', { mode: 'number' }).notNull(),
  workflowName: text('workflow_name').notNull(),
  bizType: text('biz_type').notNull(),
  status: smallint('status').notNull(),
  cancelRequested: boolean('cancel_requested').notNull(),
  runs: bigint('runs', { mode: 'number' }).notNull(),
});

/**
 * The kept run counts behind the paged dialects' totals (TiEM page.total,
 * Explorer total): runs not soft-deleted, per group of the columns their
 * total-bearing filters use. Nobody writes here but the compaction
 * (compactRunCounts), which folds run_count_deltas in; a total is the sum of
 * both (sumRunCounts), so it stays exact without a count over the runs.
 */
export const runCounts = pgTable(
  'run_counts',
  runCountColumns(),
  (t) => [primaryKey({ name: 'run_counts_pkey', columns: [t.orgId, t.definitionId, t.workflowName, t.bizType, t.status, t.cancelRequested] })],
);

/**
 * What each statement on workflow_runs changed in run_counts (+n / −n per
 * group), appended by statement-level triggers (the run_count_triggers
 * migration). Insert-only, no key and no index: concurrent
 * writers never wait on a shared counter row, and the hot path pays one small
 * INSERT per statement that moves a run between groups.
 */
export const runCountDeltas = pgTable('run_count_deltas', runCountColumns());

/** One node of a run. `attempt` counts executions; a lease marks the worker holding it. */
export const nodeRuns = pgTable(
  'node_runs',
  {
    /**
     * The node's own id (shown as its 22-char form); a random uuid, never looked
     * up, so not indexed: every node status change writes a new row version into
     * every index (status sits in the partial indexes' predicates, so no update
     * is HOT), and each index less is less work per transition.
     */
    id: uuid('id').notNull(),
    /**
     * The run, with no foreign key: checking one cost a start 55–70 ms of the ~140 ms its 10,002
     * node rows take to insert (one lookup per row). The rows need none: they are inserted only
     * joined to the run rows the same statement inserts (insertRuns), and deleted with their run
     * in one statement (deleteExpiredRuns).
     */
    runId: uuid('run_id').notNull(),
    name: text('name').notNull(),
    type: text('type').notNull(),
    position: integer('position').notNull(),
    attempt: integer('attempt').notNull().default(1),
    status: smallint('status').notNull(),
    parameters: jsonb('parameters').notNull().default({}),
    output: jsonb('output'),
    result: text('result').notNull().default(''),
    error: text('error'),
    startedAt: tz('started_at'),
    endedAt: tz('ended_at'),
    leaseOwner: text('lease_owner'),
    leaseExpiresAt: tz('lease_expires_at'),
    updatedAt: tz('updated_at').notNull(),
    /**
     * How many of the node's attempts were lost to the platform (a worker that
     * died or stopped renewing its lease): they are re-run on a budget of their
     * own (FLOWLINE_MAX_LOST_ATTEMPTS), apart from the handler's retries.
     */
    lostAttempts: smallint('lost_attempts').notNull().default(0),
    /** an operator asked to skip it before it was reached: it is skipped, not run, once its parents are satisfied */
    skipRequested: boolean('skip_requested').notNull().default(false),
    /** a map element's item (core/mapSpec.ts): its element of the list, copied when the map was reached; NULL on every other row */
    item: jsonb('item'),
    /**
     * The run's decision_seq after the last decision that wrote this row (0:
     * none since its insert): a process that knows a run as of one seq reads
     * only the rows decided since (runtime/knownMapRuns.ts). Not indexed, so
     * that writing it keeps a node's updates HOT.
     */
    decidedSeq: integer('decided_seq').notNull().default(0),
  },
  (t) => [
    // Every hot statement reaches a node by its run and name.
    primaryKey({ name: 'node_runs_pkey', columns: [t.runId, t.name] }),
    index('node_runs_live_lease').on(t.leaseExpiresAt).where(sql`${t.status} IN (2, 6)`),
    // The two probes of a success decision (loadSuccessScopes): "a parent of this child not yet
    // satisfied" and "a node not yet ended". Indexing only the rows that can answer them makes
    // each probe O(1) instead of a scan past every finished sibling (O(n²) over a wide fan-in).
    // One index serves both: a node not yet ended is not satisfied either, and the ended but
    // unsatisfied (failed, cancelled) nodes a live run holds are few.
    index('node_runs_unsatisfied').on(t.runId, t.position).where(sql`${t.status} NOT IN (1, 10)`),
  ],
);

/**
 * The attempts of a node before its current one, each written by the
 * statement that starts the next (a retry, a re-run after a lost attempt, a
 * rerun): how it ended, why, and who ran it. The current attempt is the node
 * row itself, so a node that succeeds at once writes nothing here. Deleted
 * with its run (no foreign key, as node_runs).
 */
export const nodeAttempts = pgTable(
  'node_attempts',
  {
    runId: uuid('run_id').notNull(),
    node: text('node').notNull(),
    attempt: integer('attempt').notNull(),
    /** the status the attempt ended in (FAIL, TIMEOUT, INTERNAL_ERROR, CANCEL, SKIP…) */
    status: smallint('status').notNull(),
    /** lost to the platform, not failed by its handler: it did not count against the node's retries */
    lost: boolean('lost').notNull().default(false),
    error: text('error'),
    result: text('result').notNull().default(''),
    startedAt: tz('started_at'),
    endedAt: tz('ended_at'),
    /** the lease owner that ran it (which worker, on which host) */
    worker: text('worker'),
  },
  (t) => [primaryKey({ name: 'node_attempts_pkey', columns: [t.runId, t.node, t.attempt] })],
);

/** Who may call: a named principal of an org with one role. */
export const principals = pgTable('principals', {
  id: uuid('id').primaryKey(),
  orgId: text('org_id').notNull(),
  name: text('name').notNull(),
  role: text('role').notNull(),
  createdAt: tz('created_at').notNull().defaultNow(),
});

/**
 * A credential of one auth scheme, belonging to a principal. Token-like secrets
 * are kept only as `secret_hash`; HMAC keys as `secret_sealed` (see auth/).
 * `access_key` is the public half where the scheme has one (COS SecretId,
 * Qiniu AK, Explorer user name).
 */
export const credentials = pgTable(
  'credentials',
  {
    id: uuid('id').primaryKey(),
    principalId: uuid('principal_id')
      .notNull()
      .references(() => principals.id, { onDelete: 'cascade' }),
    kind: text('kind').notNull(),
    name: text('name').notNull().default(''),
    accessKey: text('access_key'),
    secretHash: text('secret_hash'),
    secretSealed: text('secret_sealed'),
    expiresAt: tz('expires_at'),
    revokedAt: tz('revoked_at'),
    createdAt: tz('created_at').notNull().defaultNow(),
  },
  (t) => [
    uniqueIndex('credentials_secret_hash').on(t.secretHash).where(sql`${t.secretHash} IS NOT NULL`),
    uniqueIndex('credentials_kind_access_key').on(t.kind, t.accessKey).where(sql`${t.accessKey} IS NOT NULL`),
    index('credentials_principal').on(t.principalId),
  ],
);

/**
 * A cron schedule of a definition (declared in its spec, see scheduler/).
 * `next_fire_time` is the ledger's cursor: the first fire time not yet
 * decided. `paused` is runtime state: re-applying the spec keeps it.
 */
export const schedules = pgTable(
  'schedules',
  {
    id: bigint('id', { mode: 'number' }).primaryKey().generatedAlwaysAsIdentity(),
    definitionId: bigint('definition_id', { mode: 'number' })
      .notNull()
      .references(() => definitions.id, { onDelete: 'cascade' }),
    orgId: text('org_id').notNull(),
    name: text('name').notNull(),
    expression: text('expression').notNull(),
    timeZone: text('time_zone').notNull(),
    overlapPolicy: text('overlap_policy').notNull(),
    misfirePolicy: text('misfire_policy').notNull(),
    catchUpMax: integer('catch_up_max').notNull(),
    input: jsonb('input').notNull().default({}),
    paused: boolean('paused').notNull().default(false),
    nextFireTime: tz('next_fire_time'),
    /** the run this schedule started last: what the overlap policy looks at */
    lastRunId: uuid('last_run_id'),
    createdAt: tz('created_at').notNull(),
    updatedAt: tz('updated_at').notNull(),
  },
  (t) => [
    uniqueIndex('schedules_definition_name').on(t.definitionId, t.name),
    index('schedules_due').on(t.nextFireTime).where(sql`NOT ${t.paused}`),
  ],
);

/**
 * The firing ledger: one row per (schedule, fire time), whatever the outcome.
 * The UNIQUE pair is what makes a firing exactly-once across scheduler
 * replicas: the replica whose INSERT succeeds starts the run in the same
 * transaction; any other replica's INSERT fails and its transaction rolls back.
 */
export const scheduleFirings = pgTable(
  'schedule_firings',
  {
    id: bigint('id', { mode: 'number' }).primaryKey().generatedAlwaysAsIdentity(),
    scheduleId: bigint('schedule_id', { mode: 'number' })
      .notNull()
      .references(() => schedules.id, { onDelete: 'cascade' }),
    fireTime: tz('fire_time').notNull(),
    /** FIRED, CATCHUP, SKIPPED_OVERLAP, MISSED, or QUEUED until the previous run ends */
    outcome: text('outcome').notNull(),
    runId: uuid('run_id'),
    /** when a replica decided it; minus fire_time, the firing delay */
    decidedAt: tz('decided_at').notNull(),
    replica: text('replica').notNull(),
  },
  (t) => [
    uniqueIndex('schedule_firings_schedule_fire_time').on(t.scheduleId, t.fireTime),
    index('schedule_firings_queued').on(t.scheduleId, t.fireTime).where(sql`${t.outcome} = 'QUEUED'`),
    // Which schedule started a run: schedule-scoped notifications and SLAs look it up when the run ends.
    index('schedule_firings_run').on(t.runId).where(sql`${t.runId} IS NOT NULL`),
  ],
);

/**
 * A session opened by a password login (Explorer's `explorer_token`): only the
 * token's SHA-256 is kept. It dies with its credential (revoked → every
 * session of it refused; deleted → cascaded) and at `expires_at`.
 */
export const sessions = pgTable(
  'sessions',
  {
    tokenHash: text('token_hash').primaryKey(),
    credentialId: uuid('credential_id')
      .notNull()
      .references(() => credentials.id, { onDelete: 'cascade' }),
    expiresAt: tz('expires_at').notNull(),
    createdAt: tz('created_at').notNull(),
  },
  (t) => [index('sessions_expires_at').on(t.expiresAt)],
);

/**
 * A handler type some worker registered: a code handler a definition may name
 * (as its node `type`, or `handler` of a `code` node) or a built-in. Kept after
 * its workers stop: a definition naming it stays valid, its nodes wait for one.
 */
export const handlerTypes = pgTable('handler_types', {
  name: text('name').primaryKey(),
  builtin: boolean('builtin').notNull().default(false),
  description: text('description').notNull().default(''),
  /** JSON Schema of the run input the handler expects; null when it takes any */
  inputSchema: jsonb('input_schema').$type<Record<string, unknown>>(),
  /** when a worker last registered it: the description and schema are that worker's */
  registeredAt: tz('registered_at').notNull(),
});

/**
 * A worker process that is (or was) running, by its lease owner id. Alive
 * while it heartbeats: `heartbeat_at` is renewed every third of its lease,
 * and a worker whose heartbeat is a lease old is gone.
 */
export const workers = pgTable(
  'workers',
  {
    id: text('id').primaryKey(),
    host: text('host').notNull(),
    pid: integer('pid').notNull(),
    /** how long after its last heartbeat the worker counts as gone */
    leaseMs: integer('lease_ms').notNull(),
    startedAt: tz('started_at').notNull(),
    heartbeatAt: tz('heartbeat_at').notNull(),
  },
  (t) => [index('workers_heartbeat_at').on(t.heartbeatAt)],
);

/** Which handler types each worker serves; a worker's rows go with it. */
export const workerHandlerTypes = pgTable(
  'worker_handler_types',
  {
    workerId: text('worker_id')
      .notNull()
      .references(() => workers.id, { onDelete: 'cascade' }),
    handlerType: text('handler_type')
      .notNull()
      .references(() => handlerTypes.name, { onDelete: 'cascade' }),
  },
  (t) => [primaryKey({ name: 'worker_handler_types_pkey', columns: [t.workerId, t.handlerType] }), index('worker_handler_types_handler').on(t.handlerType)],
);

/**
 * The audit trail: one row per state-changing call on any surface (native,
 * the five dialects, the UI, the CLI), whatever its outcome. Appended by the
 * API's one audit hook per request and never updated: no route writes or
 * deletes here. `org_id` and the principal are null for a call no credential
 * was accepted for (who tried is then only its address).
 */
export const auditEvents = pgTable(
  'audit_events',
  {
    id: bigint('id', { mode: 'number' }).primaryKey().generatedAlwaysAsIdentity(),
    at: tz('at').notNull(),
    orgId: text('org_id'),
    principalId: uuid('principal_id'),
    principalName: text('principal_name'),
    role: text('role'),
    /** what was asked, in the domain's words: run.cancel, definition.update, credential.issue… */
    action: text('action').notNull(),
    /** what it was asked of: a run id, a definition name, a schedule id… */
    target: text('target').notNull().default(''),
    /** native, cli, ui, or the dialect's name */
    surface: text('surface').notNull(),
    address: text('address').notNull(),
    method: text('method').notNull(),
    route: text('route').notNull(),
    httpStatus: smallint('http_status').notNull(),
    /** ok, denied (401/403) or failed */
    outcome: text('outcome').notNull(),
  },
  // An org's trail newest first, keyset on id; a superadmin's whole trail walks the primary key.
  (t) => [index('audit_events_org_id').on(t.orgId, t.id.desc())],
);

/**
 * A bulk operation (cancel, rerun or resume of many runs): its selector (ids
 * or a filter), its progress, and how far it got. Worked off in batches by
 * whichever process holds its row lock (SKIP LOCKED), so a process that dies
 * mid-batch hands it on where its last batch committed.
 */
export const bulkOperations = pgTable(
  'bulk_operations',
  {
    id: uuid('id').primaryKey(),
    orgId: text('org_id').notNull(),
    action: text('action').notNull(),
    /** `{ids:[…]}` or `{filter:{…}}`, as requested */
    selector: jsonb('selector').notNull(),
    /** RUNNING, DONE or CANCELLED */
    status: text('status').notNull(),
    total: integer('total').notNull(),
    processed: integer('processed').notNull().default(0),
    succeeded: integer('succeeded').notNull().default(0),
    /** runs the operation did not apply to (already ended, not suspended…) */
    skipped: integer('skipped').notNull().default(0),
    failed: integer('failed').notNull().default(0),
    /** by ids: how many ids are done; by filter: the last run seq done (runs are walked oldest first) */
    cursor: bigint('cursor', { mode: 'number' }).notNull().default(0),
    /** by filter: the newest run seq when it was asked for; runs started later are not touched */
    upToSeq: bigint('up_to_seq', { mode: 'number' }),
    /** the latest failures, a few at most: run id, code, message */
    errors: jsonb('errors').notNull().default([]),
    requestedBy: text('requested_by').notNull(),
    createdAt: tz('created_at').notNull(),
    updatedAt: tz('updated_at').notNull(),
    finishedAt: tz('finished_at'),
  },
  (t) => [
    index('bulk_operations_running').on(t.createdAt).where(sql`${t.status} = 'RUNNING'`),
    index('bulk_operations_org_created').on(t.orgId, t.createdAt.desc()),
  ],
);

/**
 * A backfill of a schedule over a past range: one run per fire time in
 * [from_time, to_time) that the ledger has no row for, recorded BACKFILL.
 * `cursor` is the first fire time not yet decided. Worked off in batches
 * under its row lock (SKIP LOCKED), each batch one transaction with its runs
 * and ledger rows.
 */
export const backfills = pgTable(
  'backfills',
  {
    id: uuid('id').primaryKey(),
    scheduleId: bigint('schedule_id', { mode: 'number' })
      .notNull()
      .references(() => schedules.id, { onDelete: 'cascade' }),
    orgId: text('org_id').notNull(),
    fromTime: tz('from_time').notNull(),
    toTime: tz('to_time').notNull(),
    maxConcurrent: integer('max_concurrent').notNull(),
    /** RUNNING, DONE or CANCELLED */
    status: text('status').notNull(),
    cursor: tz('cursor'),
    /** fire times in the range */
    total: integer('total').notNull(),
    /** runs started */
    started: integer('started').notNull().default(0),
    /** fire times the ledger already had a row for, or that the live scheduler owns */
    skipped: integer('skipped').notNull().default(0),
    requestedBy: text('requested_by').notNull(),
    createdAt: tz('created_at').notNull(),
    updatedAt: tz('updated_at').notNull(),
    finishedAt: tz('finished_at'),
  },
  (t) => [index('backfills_running').on(t.createdAt).where(sql`${t.status} = 'RUNNING'`), index('backfills_schedule').on(t.scheduleId, t.createdAt.desc())],
);

/**
 * Where a definition (or one of its schedules, `schedule_name` ≠ '') posts
 * which run events: synced from the spec's `notify`. The secret signs each
 * delivery (HMAC-SHA256), sealed at rest, shown once when the webhook first
 * appears; a webhook keeps it while its scope and URL stay.
 */
export const notificationWebhooks = pgTable(
  'notification_webhooks',
  {
    id: uuid('id').primaryKey(),
    definitionId: bigint('definition_id', { mode: 'number' })
      .notNull()
      .references(() => definitions.id, { onDelete: 'cascade' }),
    scheduleName: text('schedule_name').notNull().default(''),
    scheduleId: bigint('schedule_id', { mode: 'number' }).references(() => schedules.id, { onDelete: 'cascade' }),
    orgId: text('org_id').notNull(),
    url: text('url').notNull(),
    /** FAIL, TIMEOUT, SUCCESS, CANCEL, SLA_MISSED */
    events: text('events').array().notNull(),
    secretSealed: text('secret_sealed').notNull(),
    createdAt: tz('created_at').notNull(),
    updatedAt: tz('updated_at').notNull(),
  },
  (t) => [uniqueIndex('notification_webhooks_scope_url').on(t.definitionId, t.scheduleName, t.url)],
);

/**
 * The notification outbox: one row per (webhook, run, event, occurrence).
 * Rows for a run's end are written by a trigger in the very statement that
 * ends the run (the run_notification_trigger migration), rows for a missed SLA
 * by the statement that records the miss: a crash loses none. `id` is the
 * event id, sent as the idempotency key; delivery is at least once.
 * `next_attempt_at` is also the lease: a claim moves it past the attempt's
 * timeout, so a sender that dies leaves the row due again.
 */
export const notificationDeliveries = pgTable(
  'notification_deliveries',
  {
    id: uuid('id').primaryKey().defaultRandom(),
    webhookId: uuid('webhook_id').notNull(),
    orgId: text('org_id').notNull(),
    runId: uuid('run_id').notNull(),
    event: text('event').notNull(),
    /** the run's end time, or the missed SLA's deadline */
    occurredAt: tz('occurred_at').notNull(),
    url: text('url').notNull(),
    /** PENDING, DELIVERED or DEAD */
    status: text('status').notNull().default('PENDING'),
    attempts: integer('attempts').notNull().default(0),
    nextAttemptAt: tz('next_attempt_at').notNull(),
    lastError: text('last_error'),
    /** the event as first sent: every retry sends the same body */
    payload: jsonb('payload'),
    createdAt: tz('created_at').notNull(),
    deliveredAt: tz('delivered_at'),
  },
  (t) => [
    uniqueIndex('notification_deliveries_event').on(t.webhookId, t.runId, t.event, t.occurredAt),
    index('notification_deliveries_due').on(t.nextAttemptAt).where(sql`${t.status} = 'PENDING'`),
    index('notification_deliveries_run').on(t.runId),
  ],
);

/** Each attempt at a delivery: when, what the receiver answered or why it failed, and who sent it. */
export const notificationAttempts = pgTable(
  'notification_attempts',
  {
    deliveryId: uuid('delivery_id').notNull(),
    attempt: integer('attempt').notNull(),
    startedAt: tz('started_at').notNull(),
    endedAt: tz('ended_at').notNull(),
    httpStatus: smallint('http_status'),
    error: text('error'),
    sender: text('sender').notNull(),
  },
  (t) => [primaryKey({ name: 'notification_attempts_pkey', columns: [t.deliveryId, t.attempt] })],
);

/** A definition's (or a schedule's, `schedule_name` ≠ '') SLA: its runs should end within `finish_within_ms` of their creation. */
export const slaPolicies = pgTable(
  'sla_policies',
  {
    definitionId: bigint('definition_id', { mode: 'number' })
      .notNull()
      .references(() => definitions.id, { onDelete: 'cascade' }),
    scheduleName: text('schedule_name').notNull().default(''),
    scheduleId: bigint('schedule_id', { mode: 'number' }).references(() => schedules.id, { onDelete: 'cascade' }),
    finishWithinMs: bigint('finish_within_ms', { mode: 'number' }).notNull(),
  },
  (t) => [primaryKey({ name: 'sla_policies_pkey', columns: [t.definitionId, t.scheduleName] })],
);

/** Runs that missed their SLA: the key is what makes SLA_MISSED fire once per run. The run itself is not changed. */
export const slaMisses = pgTable('sla_misses', {
  runId: uuid('run_id').primaryKey(),
  orgId: text('org_id').notNull(),
  workflowName: text('workflow_name').notNull(),
  deadline: tz('deadline').notNull(),
  detectedAt: tz('detected_at').notNull(),
});

/**
 * The slots of a concurrency limit (core/concurrencySpec.ts): one row per
 * workflow of an org and key value, `held` counting its admitted runs not
 * yet ended. Admission (admitRuns) works under this row's lock and ends its
 * statement with `held` at most `limit`; a run's end gives its slot back in
 * the statement that ends it (the run_admission_release trigger).
 */
export const concurrencySlots = pgTable(
  'concurrency_slots',
  {
    orgId: text('org_id').notNull(),
    workflowName: text('workflow_name').notNull(),
    key: text('key').notNull(),
    /** the limit of the definition's latest start */
    limit: integer('limit').notNull(),
    held: integer('held').notNull().default(0),
  },
  (t) => [primaryKey({ name: 'concurrency_slots_pkey', columns: [t.orgId, t.workflowName, t.key] })],
);

/**
 * A run of a workflow with a concurrency limit, from its start until it
 * ends: waiting (its roots held in WAIT, the run READY) until admitted,
 * first started first per key. Deleted with the run's end (the trigger).
 */
export const runAdmissions = pgTable(
  'run_admissions',
  {
    runId: uuid('run_id').primaryKey(),
    orgId: text('org_id').notNull(),
    workflowName: text('workflow_name').notNull(),
    key: text('key').notNull(),
    /** the run's seq: the order runs of a key are admitted in */
    seq: bigint('seq', { mode: 'number' }).notNull(),
    admittedAt: tz('admitted_at'),
    /** the root nodes to release when admitted, each with its queue */
    roots: jsonb('roots').$type<{ node: string; queue: string }[]>().notNull(),
  },
  (t) => [
    // The next runs to admit of a key: its waiting runs in start order.
    index('run_admissions_waiting').on(t.orgId, t.workflowName, t.key, t.seq).where(sql`${t.admittedAt} IS NULL`),
  ],
);

/**
 * Signals sent to runs (`POST /v1/runs/{id}/signals/{name}`), kept until a
 * `wait` or `approval` node consumes one: a signal that arrives before its
 * node is reached waits here, not lost. Each is consumed by at most one node
 * attempt (the conditional write of consumeSignal).
 */
export const runSignals = pgTable(
  'run_signals',
  {
    id: bigint('id', { mode: 'number' }).primaryKey().generatedAlwaysAsIdentity(),
    /** the run, with no foreign key (none may point into a partition that retention drops): deleted with it */
    runId: uuid('run_id').notNull(),
    name: text('name').notNull(),
    payload: jsonb('payload').notNull().default({}),
    /** who sent it (the caller's principal), as the record shows */
    sentBy: text('sent_by').notNull().default(''),
    sentAt: tz('sent_at').notNull(),
    /** the node that consumed it, with the attempt; null while it waits for one */
    consumedBy: text('consumed_by'),
    consumedAttempt: integer('consumed_attempt'),
    consumedAt: tz('consumed_at'),
  },
  // A node reached looks up the oldest unconsumed signal of its name.
  (t) => [
    index('run_signals_pending').on(t.runId, t.name, t.id).where(sql`${t.consumedBy} IS NULL`),
    // Retention deletes a run's signals, consumed or not, with it.
    index('run_signals_run').on(t.runId),
  ],
);

/**
 * The runs `workflow` nodes started: one child per parent node attempt. The
 * child is an ordinary run (its start keyed by the parent attempt, so a start
 * repeated after a crash finds the first); this links the two both ways.
 */
export const childRuns = pgTable(
  'child_runs',
  {
    /** no foreign keys (none may point into a partition that retention drops): deleted with either run */
    parentRunId: uuid('parent_run_id').notNull(),
    parentNode: text('parent_node').notNull(),
    parentAttempt: integer('parent_attempt').notNull(),
    childRunId: uuid('child_run_id').notNull(),
  },
  (t) => [
    primaryKey({ name: 'child_runs_pkey', columns: [t.parentRunId, t.parentNode, t.parentAttempt] }),
    uniqueIndex('child_runs_child').on(t.childRunId),
  ],
);
