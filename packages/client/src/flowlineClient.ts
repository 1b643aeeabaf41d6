import { fetchTransport, nodeHttpTransport, type HttpTransport } from './httpTransport.ts';
import type { AuditEventView, AuditQuery, BackfillView, BulkAction, BulkOperationView, BulkRunFilter, DeliveryView } from './operationsViews.ts';

/**
 * A small typed client for the native `/v1` API, with no dependencies beyond
 * Node's own `http` (or a `fetch` you give it). What a service that starts and watches workflows calls:
 *
 * ```ts
 * const client = new FlowlineClient({ baseUrl: 'http://localhost:8080', token });
 * const run = await client.start('BackupCluster', { bizId: clusterId, idempotencyKey: `backup-${clusterId}-${day}` });
 * const done = await client.waitFor(run.id);
 * ```
 */

export type RunStatus =
  | 'FAIL'
  | 'INIT'
  | 'SUCCESS'
  | 'RUNNING'
  | 'SUSPEND'
  | 'INTERNAL_ERROR'
  | 'WAIT'
  | 'READY'
  | 'TIMEOUT'
  | 'CANCEL'
  | 'RERUN'
  | 'SKIP';

/** Statuses after which a run changes only if an operator reruns it. */
export const TERMINAL_RUN_STATUSES: readonly RunStatus[] = ['FAIL', 'SUCCESS', 'INTERNAL_ERROR', 'TIMEOUT', 'CANCEL', 'SKIP'];

/** A node of a run, as `GET /v1/runs/{id}` shows it. */
export interface NodeView {
  id: string;
  name: string;
  type: string;
  /** the node's parents: the DAG's edges, in the run's own definition version */
  dependsOn: string[];
  attempt: number;
  status: RunStatus;
  statusCode: number;
  parameters: unknown;
  output: unknown;
  result: string;
  error: string | null;
  startedAt: string | null;
  endedAt: string | null;
  /** an operator asked to skip it before it was reached: it is skipped once its parents are satisfied */
  skipRequested: boolean;
  /** READY, but no live worker serves its handler: what it waits for; null otherwise */
  waitingFor: string | null;
  /** attempts lost to the platform (a worker died), re-run apart from the retries */
  lostAttempts: number;
  /** a map element (named `<map>[<index>]`): its map node's name; null on every other node */
  mapOf: string | null;
  /** a map element's index in its map's list; null on every other node */
  index: number | null;
  /** a map element's item (what its handler got as ctx.item); null on every other node */
  item: unknown;
  /** the attempts before the current one, oldest first */
  attempts: AttemptView[];
}

/** An attempt of a node before its current one: how it ended, why, and which worker ran it. */
export interface AttemptView {
  attempt: number;
  status: RunStatus;
  statusCode: number;
  /** lost to the platform, not failed by the handler */
  lost: boolean;
  error: string | null;
  result: string;
  startedAt: string | null;
  endedAt: string | null;
  worker: string | null;
}

/** A run as lists show it. */
export interface RunSummary {
  id: string;
  seq: number;
  workflow: string;
  definitionVersion: number;
  bizId: string;
  bizType: string;
  triggerType: number;
  status: RunStatus;
  statusCode: number;
  cancelRequested: boolean;
  traceId: string | null;
  /** its nodes are dispatched before those of runs of lower priority (default 0) */
  priority: number;
  input: unknown;
  triggerTime: string;
  startTime: string | null;
  endTime: string | null;
  createdAt: string;
  updatedAt: string;
}

/** A run with its nodes, and its links to the runs its `workflow` nodes started and the run that started it. */
export interface RunView extends RunSummary {
  nodes: NodeView[];
  /** the run whose `workflow` node started this one; null if none did */
  parentRunId: string | null;
  parentNode: string | null;
  /** the runs this run's `workflow` nodes started, one per node attempt */
  children: { runId: string; node: string; attempt: number }[];
}

/** What a signal sent found: its id, and the node that took a kept signal of its name at once (null: kept until one is reached). */
export interface SentSignal {
  signalId: number;
  deliveredTo: string | null;
}

/** The optional parts of a start: business key and type, input (typed by the workflow's schema when started by value), idempotency key, priority. */
export interface StartOptions<Input = Record<string, unknown>> {
  bizId?: string;
  bizType?: string;
  input?: Input;
  /** the same key returns the same run, never a second */
  idempotencyKey?: string;
  /** -1000 to 1000, default 0: a higher-priority run's nodes are dispatched before a lower one's */
  priority?: number;
}

/**
 * A workflow started by value rather than by name: a `defineWorkflow` result
 * (from @flowline/sdk), whose input schema types the start's `input`.
 */
export interface StartableWorkflow<Input> {
  readonly spec: { readonly name: string };
  /** type only: what a start sends as `input` */
  readonly '~startInput'?: Input;
}

/** One start of a batch: `start`'s options with the workflow by name. */
export interface BatchStart extends StartOptions {
  workflow: string;
}

/** One start's answer in a batch: the run (created, or the one its idempotency key named), or why that start alone failed. */
export type BatchStartResult =
  | { created: boolean; run: { id: string; seq: number; workflow: string; bizId: string; status: RunStatus } }
  | { error: { code: string; message: string } };

/** What `startMany` answers: one result per start, in order, and their counts. */
export interface BatchStartAnswer {
  items: BatchStartResult[];
  created: number;
  /** starts whose idempotency key named an existing run */
  existing: number;
  failed: number;
}

/** The most starts one `POST /v1/runs:batch` takes; `startMany` sends more in consecutive requests of this many. */
export const MAX_BATCH_STARTS = 1000;

/** A handler type a worker registered, as `GET /v1/handlers` lists it. */
export interface HandlerTypeView {
  /** what a definition names as a node `type`: a built-in, or `<workflow>.<node>` of a code workflow */
  name: string;
  builtin: boolean;
  description: string;
  /** JSON Schema of the run input it expects; null when it takes any */
  inputSchema: Record<string, unknown> | null;
  registeredAt: string;
  /** the live workers serving it; none: its nodes wait for one */
  workers: { id: string; host: string; pid: number; startedAt: string; heartbeatAt: string }[];
}

/** Filters and paging of `listRuns`. */
export interface ListRunsOptions {
  workflow?: string;
  status?: RunStatus[];
  bizId?: string;
  bizType?: string;
  from?: Date;
  to?: Date;
  limit?: number;
  cursor?: string;
}

/** A workflow definition as the API stores it (its latest version). */
export interface DefinitionView {
  id: number;
  name: string;
  version: number;
  description: string;
  nodes: Record<string, unknown>[];
}

/** What `applyDefinition` did. */
export interface AppliedDefinition {
  definition: DefinitionView;
  /** true when no definition of that name existed */
  created: boolean;
}

/** The authentication scheme a credential is for: native and TiEM bearer tokens, EnOS access tokens, Explorer passwords, COS and Qiniu key pairs; or a secret http nodes send by name. */
export type CredentialKind = 'bearer' | 'enos' | 'explorer' | 'cos' | 'qiniu' | 'secret';
/** What a credential may do: read, operate runs, or administer its org (reader < operator < admin); superadmin reaches every org; metrics only scrapes /metrics. */
export type CredentialRole = 'reader' | 'operator' | 'admin' | 'superadmin' | 'metrics';

/** A credential as listed: never its secret, which is shown once, when it is issued. */
export interface CredentialView {
  id: string;
  kind: CredentialKind;
  name: string;
  role: CredentialRole;
  orgId: string;
  accessKey: string | null;
  expiresAt: string | null;
  revokedAt: string | null;
  createdAt: string;
}

/** What `createCredential` issues. */
export interface CreateCredentialRequest {
  kind: CredentialKind;
  /** required except for kind secret */
  role?: CredentialRole;
  /** another org than the caller's only for a superadmin */
  orgId?: string;
  /** for kind secret, the name http nodes refer to with {"secretRef": name} */
  name?: string;
  accessKey?: string;
  /** kind secret only: the value to seal */
  secret?: string;
  expiresAt?: string;
}

/** A schedule as `GET /v1/schedules` lists it. */
export interface ScheduleView {
  id: number;
  workflow: string;
  name: string;
  expression: string;
  /** quartz: 6–7 fields, day-of-week 1=SUN; unix: 5 fields */
  form: 'quartz' | 'unix';
  timeZone: string;
  overlap: string;
  misfire: string;
  catchUpMax: number;
  input: unknown;
  paused: boolean;
  nextFireTime: string | null;
  lastRunId: string | null;
  createdAt: string;
  updatedAt: string;
}

/** A schedule with its firing counts. */
export interface ScheduleDetail extends ScheduleView {
  /** ledger rows per outcome: FIRED, CATCHUP, SKIPPED_OVERLAP, MISSED, QUEUED */
  firingCounts: Record<string, number>;
}

/** One row of a schedule's firing ledger. */
export interface FiringView {
  fireTime: string;
  outcome: string;
  runId: string | null;
  decidedAt: string;
  delayMs: number;
  replica: string;
}

/** A schedule's next fire times. */
export interface SchedulePreview {
  scheduleId: number;
  expression: string;
  timeZone: string;
  fireTimes: { at: string; local: string }[];
}

/** An error answer of the API, with its stable code (e.g. RUN_NOT_FOUND) and HTTP status. */
export class FlowlineApiError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
  ) {
    super(message);
    this.name = 'FlowlineApiError';
  }
}

/** Where the client calls and as whom. */
export interface FlowlineClientOptions {
  baseUrl: string;
  /** a bearer token from `POST /v1/credentials` (or FLOWLINE_ADMIN_TOKEN) */
  token: string;
  /** how to reach the API instead of node:http (httpTransport.ts); a `fetch` is wrapped with `fetchTransport` */
  transport?: HttpTransport;
  /** a `fetch` of your own (a proxy, a mock) instead of node:http */
  fetch?: typeof fetch;
  /** which client this is, for the audit trail (`x-flowline-surface`): the CLI says `cli` */
  surface?: 'cli' | 'ui';
}

/**
 * The typed client of flowline's native API (`/v1`): definitions, runs,
 * schedules and credentials, with errors thrown as FlowlineApiError (its
 * stable `code` and HTTP status).
 */
export class FlowlineClient {
  private readonly baseUrl: string;
  private readonly transport: HttpTransport;

  constructor(private readonly options: FlowlineClientOptions) {
    this.baseUrl = options.baseUrl.replace(/\/+$/, '');
    this.transport = options.transport ?? (options.fetch ? fetchTransport(options.fetch) : nodeHttpTransport);
  }

  /**
   * Starts a run of `workflow`, by name or by value: started by value (a
   * `defineWorkflow` result), its `input` is typed by the workflow's schema.
   * An input that fails the schema is refused (FlowlineApiError 400
   * VALIDATION_FAILED naming the field) and no run is made.
   */
  start<Input = Record<string, unknown>>(workflow: string | StartableWorkflow<Input>, options: StartOptions<NoInfer<Input>> = {}): Promise<RunView> {
    return this.request('POST', '/v1/runs', { workflow: typeof workflow === 'string' ? workflow : workflow.spec.name, ...options });
  }

  /**
   * Starts many runs with `POST /v1/runs:batch`: each request of up to 1,000
   * starts is one insert and one dispatch on the server. One result per start,
   * in order; a start that fails (unknown workflow, input refused by its
   * schema) is reported in its item and does not fail the others. More than
   * 1,000 starts go as consecutive requests.
   */
  async startMany(starts: readonly BatchStart[]): Promise<BatchStartAnswer> {
    const answer: BatchStartAnswer = { items: [], created: 0, existing: 0, failed: 0 };
    for (let from = 0; from < starts.length; from += MAX_BATCH_STARTS) {
      const part = await this.request<BatchStartAnswer>('POST', '/v1/runs:batch', { runs: starts.slice(from, from + MAX_BATCH_STARTS) });
      answer.items.push(...part.items);
      answer.created += part.created;
      answer.existing += part.existing;
      answer.failed += part.failed;
    }
    return answer;
  }

  /** The handler types workers registered, each with the live workers serving it. */
  handlers(): Promise<{ items: HandlerTypeView[] }> {
    return this.request('GET', '/v1/handlers');
  }

  /** Who this client's token is: its principal's name, org and role. */
  whoami(): Promise<{ principalId: string; name: string; orgId: string; role: CredentialRole }> {
    return this.request('GET', '/v1/whoami');
  }

  /** A run with its nodes. */
  run(id: string): Promise<RunView> {
    return this.request('GET', `/v1/runs/${encodeURIComponent(id)}`);
  }

  /** A page of runs, newest first; pass `nextCursor` back as `cursor` for the next. */
  runs(options: ListRunsOptions = {}): Promise<{ items: RunSummary[]; nextCursor: string | null }> {
    const query = new URLSearchParams();
    if (options.workflow) query.set('workflow', options.workflow);
    if (options.status?.length) query.set('status', options.status.join(','));
    if (options.bizId) query.set('bizId', options.bizId);
    if (options.bizType) query.set('bizType', options.bizType);
    if (options.from) query.set('from', options.from.toISOString());
    if (options.to) query.set('to', options.to.toISOString());
    if (options.limit) query.set('limit', String(options.limit));
    if (options.cursor) query.set('cursor', options.cursor);
    const suffix = query.size ? `?${query}` : '';
    return this.request('GET', `/v1/runs${suffix}`);
  }

  cancel(id: string): Promise<RunView> {
    return this.request('POST', `/v1/runs/${encodeURIComponent(id)}/cancel`);
  }

  suspend(id: string): Promise<RunView> {
    return this.request('POST', `/v1/runs/${encodeURIComponent(id)}/suspend`);
  }

  resume(id: string): Promise<RunView> {
    return this.request('POST', `/v1/runs/${encodeURIComponent(id)}/resume`);
  }

  rerun(id: string): Promise<RunView> {
    return this.request('POST', `/v1/runs/${encodeURIComponent(id)}/rerun`);
  }

  skipNode(id: string, node: string): Promise<RunView> {
    return this.request('POST', `/v1/runs/${encodeURIComponent(id)}/nodes/${encodeURIComponent(node)}/skip`);
  }

  /** Sends a signal to a live run: a `wait` node waiting for `name` takes it (the payload is its output), or it is kept until one is reached. */
  signal(id: string, name: string, payload: unknown = null): Promise<SentSignal> {
    return this.request('POST', `/v1/runs/${encodeURIComponent(id)}/signals/${encodeURIComponent(name)}`, payload);
  }

  /** Approves an approval node waiting for its decision; who and when are its output. */
  approve(id: string, node: string, reason?: string): Promise<SentSignal> {
    return this.request('POST', `/v1/runs/${encodeURIComponent(id)}/nodes/${encodeURIComponent(node)}/approve`, reason === undefined ? {} : { reason });
  }

  /** Rejects an approval node waiting for its decision: it fails with the reason. */
  reject(id: string, node: string, reason: string): Promise<SentSignal> {
    return this.request('POST', `/v1/runs/${encodeURIComponent(id)}/nodes/${encodeURIComponent(node)}/reject`, { reason });
  }

  /** A definition's latest version. */
  definition(name: string): Promise<DefinitionView> {
    return this.request('GET', `/v1/definitions/${encodeURIComponent(name)}`);
  }

  definitions(): Promise<{ items: DefinitionView[] }> {
    return this.request('GET', '/v1/definitions');
  }

  /** Creates the definition, or updates it (a new version if the DAG changed) when one of that name exists. */
  async applyDefinition(spec: { name: string } & Record<string, unknown>): Promise<AppliedDefinition> {
    // Read first (reads leave no audit row), so that a create is not recorded as a refused update before it;
    // a definition made or deleted by someone else in between is met by the other write.
    const create = () => this.request<DefinitionView>('POST', '/v1/definitions', spec);
    const update = () => this.request<DefinitionView>('PUT', `/v1/definitions/${encodeURIComponent(spec.name)}`, spec);
    const exists = await this.definition(spec.name).then(
      () => true,
      (error: unknown) => {
        if (error instanceof FlowlineApiError && error.code === 'DEFINITION_NOT_FOUND') return false;
        throw error;
      },
    );
    try {
      return exists ? { definition: await update(), created: false } : { definition: await create(), created: true };
    } catch (error) {
      if (exists && error instanceof FlowlineApiError && error.code === 'DEFINITION_NOT_FOUND') return { definition: await create(), created: true };
      if (!exists && error instanceof FlowlineApiError && error.code === 'DEFINITION_EXISTS') return { definition: await update(), created: false };
      throw error;
    }
  }

  /** Issues a credential; its secret is in this answer only. */
  createCredential(request: CreateCredentialRequest): Promise<CredentialView & { secret: string }> {
    return this.request('POST', '/v1/credentials', request);
  }

  credentials(): Promise<{ items: CredentialView[] }> {
    return this.request('GET', '/v1/credentials');
  }

  async revokeCredential(id: string): Promise<void> {
    await this.request('DELETE', `/v1/credentials/${encodeURIComponent(id)}`);
  }

  /** The schedules of the caller's org, optionally of one workflow. */
  schedules(workflow?: string): Promise<{ items: ScheduleView[] }> {
    return this.request('GET', `/v1/schedules${workflow ? `?${new URLSearchParams({ workflow })}` : ''}`);
  }

  schedule(id: number | string): Promise<ScheduleDetail> {
    return this.request('GET', `/v1/schedules/${encodeURIComponent(id)}`);
  }

  /** A page of a schedule's firing ledger, newest first. */
  firings(id: number | string, options: { limit?: number; cursor?: string } = {}): Promise<{ items: FiringView[]; nextCursor: string | null }> {
    const query = new URLSearchParams();
    if (options.limit) query.set('limit', String(options.limit));
    if (options.cursor) query.set('cursor', options.cursor);
    return this.request('GET', `/v1/schedules/${encodeURIComponent(id)}/firings${query.size ? `?${query}` : ''}`);
  }

  /** The next `count` fire times, in UTC and on the schedule zone's wall clock. */
  previewSchedule(id: number | string, count = 10): Promise<SchedulePreview> {
    return this.request('GET', `/v1/schedules/${encodeURIComponent(id)}/preview?count=${count}`);
  }

  pauseSchedule(id: number | string): Promise<ScheduleDetail> {
    return this.request('POST', `/v1/schedules/${encodeURIComponent(id)}/pause`);
  }

  resumeSchedule(id: number | string): Promise<ScheduleDetail> {
    return this.request('POST', `/v1/schedules/${encodeURIComponent(id)}/resume`);
  }

  /**
   * Polls until the run reaches a terminal status (or `until` says so) and
   * returns it; rejects after `timeoutMs`.
   */
  async waitFor(
    id: string,
    options: { timeoutMs?: number; intervalMs?: number; until?: (run: RunView) => boolean } = {},
  ): Promise<RunView> {
    const deadline = Date.now() + (options.timeoutMs ?? 60_000);
    const done = options.until ?? ((run: RunView) => TERMINAL_RUN_STATUSES.includes(run.status));
    for (;;) {
      const run = await this.run(id);
      if (done(run)) return run;
      if (Date.now() >= deadline) throw new Error(`run ${id} still ${run.status} after ${options.timeoutMs ?? 60_000} ms`);
      await new Promise((resolve) => setTimeout(resolve, options.intervalMs ?? 200));
    }
  }

  /** Asks for `action` on many runs — by ids (at most 1,000) or a filter — worked off in the background; follow it with `bulkOperation`. */
  bulk(action: BulkAction, selector: { ids: string[] } | { filter: BulkRunFilter }): Promise<BulkOperationView> {
    return this.request('POST', `/v1/runs:${action}`, selector);
  }

  /** A bulk operation and its progress. */
  bulkOperation(id: string): Promise<BulkOperationView> {
    return this.request('GET', `/v1/bulk-operations/${encodeURIComponent(id)}`);
  }

  /** Stops a running bulk operation after its batch in progress. */
  stopBulkOperation(id: string): Promise<BulkOperationView> {
    return this.request('POST', `/v1/bulk-operations/${encodeURIComponent(id)}/cancel`);
  }

  /** Backfills a schedule over [from, to): one run per fire time the ledger lacks; follow it with `backfill`. */
  backfillSchedule(scheduleId: number | string, range: { from: string; to: string; maxConcurrent?: number }): Promise<BackfillView> {
    return this.request('POST', `/v1/schedules/${encodeURIComponent(scheduleId)}/backfill`, range);
  }

  /** A backfill and its progress. */
  backfill(id: string): Promise<BackfillView> {
    return this.request('GET', `/v1/backfills/${encodeURIComponent(id)}`);
  }

  /** Stops a running backfill; the runs it started go on. */
  cancelBackfill(id: string): Promise<BackfillView> {
    return this.request('POST', `/v1/backfills/${encodeURIComponent(id)}/cancel`);
  }

  /** A run's notifications: each event's delivery to each webhook, with its attempts. */
  runNotifications(id: string): Promise<{ items: DeliveryView[] }> {
    return this.request('GET', `/v1/runs/${encodeURIComponent(id)}/notifications`);
  }

  /** A page of the audit trail, newest first (admins). */
  audit(query: AuditQuery = {}): Promise<{ items: AuditEventView[]; nextCursor: string | null }> {
    const params = new URLSearchParams(Object.entries(query).flatMap(([k, v]) => (v === undefined ? [] : [[k, String(v)] as [string, string]])));
    return this.request('GET', `/v1/audit${params.size ? `?${params}` : ''}`);
  }

  private async request<T>(method: string, path: string, body?: unknown): Promise<T> {
    const { status, text } = await this.transport({
      method,
      url: `${this.baseUrl}${path}`,
      headers: {
        authorization: `Bearer ${this.options.token}`,
        ...(this.options.surface === undefined ? {} : { 'x-flowline-surface': this.options.surface }),
        ...(body === undefined ? {} : { 'content-type': 'application/json' }),
      },
      ...(body === undefined ? {} : { body: JSON.stringify(body) }),
    });
    const parsed: unknown = text ? JSON.parse(text) : undefined;
    if (status < 200 || status > 299) {
      const error = (parsed as { error?: { code?: string; message?: string } } | undefined)?.error;
      throw new FlowlineApiError(status, error?.code ?? 'HTTP_ERROR', error?.message ?? `${method} ${path} answered ${status}`);
    }
    return parsed as T;
  }
}
