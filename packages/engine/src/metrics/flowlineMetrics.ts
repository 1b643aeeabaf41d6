import type { Queue } from 'bullmq';
import type { RunEvent } from '../core/runState.ts';
import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from 'prom-client';
import { oldestWaitingSince } from '../queue/oldestWaiting.ts';
import { LabelBudget } from './labelBudget.ts';
import type { ReplicaState } from '../storage/readReplica.ts';

/** The BullMQ job states exported as queue depth. */
const QUEUE_STATES = ['waiting', 'active', 'delayed', 'prioritized', 'failed'] as const;

/**
 * Node handlers range from a noop (sub-millisecond) to a backup (many minutes):
 * exponential buckets from 5 ms to ~45 min cover both ends with 12 buckets.
 */
const NODE_SECONDS_BUCKETS = [0.005, 0.02, 0.1, 0.5, 1, 5, 15, 60, 180, 600, 1800, 2700];
/** Queue waits should be milliseconds; the long tail shows starved workers. */
const WAIT_SECONDS_BUCKETS = [0.001, 0.005, 0.02, 0.1, 0.5, 1, 5, 30, 120];

/** What a metrics registry exports besides flowline's own metrics. */
export interface FlowlineMetricsOptions {
  /** also export the process's CPU, memory, event-loop lag and GC (prom-client's default metrics) */
  readonly processMetrics?: boolean;
  /** a scrape within this long of the last render gets that text (FLOWLINE_METRICS_CACHE_MS); 0 renders every scrape */
  readonly cacheMs?: number;
  /** distinct workflow label values (FLOWLINE_METRICS_MAX_WORKFLOWS) */
  readonly maxWorkflows?: number;
  /** label combinations of one metric per workflow (FLOWLINE_METRICS_MAX_SERIES_PER_WORKFLOW) */
  readonly maxSeriesPerWorkflow?: number;
}

/** Node types and outcomes are few; these bounds only bite on an install with unusually many workflows. */
const DEFAULT_MAX_WORKFLOWS = 1_000;
const DEFAULT_MAX_SERIES_PER_WORKFLOW = 64;

/**
 * Every Prometheus metric of a flowline process, in one registry: the API, the
 * worker, the scheduler and the reconciler of one process share the engine's
 * instance, so one `/metrics` covers them all. Each role counts what it does;
 * Prometheus sums the processes. Roles with metrics of their own register them
 * on `registry`; the scheduler and reconciler counters are declared here so a
 * dashboard can rely on their names before the first firing.
 *
 * Series are keyed by workflow and node *type*, never by node name: a
 * workflow of 10,000 nodes is a few series per type and outcome, not 10,000
 * (one such run made the text 27 MB), and workflow names are held to a
 * LabelBudget, as tenants choose them.
 */
export class FlowlineMetrics {
  readonly registry = new Registry();

  private readonly runsStartedSeries = new Counter({
    name: 'flowline_runs_started_total',
    help: 'Runs started, by workflow and trigger (manual, periodic, temporary)',
    labelNames: ['workflow', 'trigger'] as const,
    registers: [this.registry],
  });

  private readonly runsFinishedSeries = new Counter({
    name: 'flowline_runs_finished_total',
    help: 'Runs that reached a terminal status, by workflow and status',
    labelNames: ['workflow', 'status'] as const,
    registers: [this.registry],
  });

  private readonly nodeDuration = new Histogram({
    name: 'flowline_node_duration_seconds',
    help: "Node handler run time, by workflow, node type and the attempt's outcome",
    labelNames: ['workflow', 'type', 'outcome'] as const,
    buckets: NODE_SECONDS_BUCKETS,
    registers: [this.registry],
  });

  private readonly nodeQueueWaitSeries = new Histogram({
    name: 'flowline_node_queue_wait_seconds',
    help: 'Time from a node job becoming runnable to a worker taking it',
    labelNames: ['workflow'] as const,
    buckets: WAIT_SECONDS_BUCKETS,
    registers: [this.registry],
  });

  /** Runs started, by workflow (within the label budget) and trigger. */
  readonly runsStarted = {
    inc: (labels: { workflow: string; trigger: string }) =>
      this.runsStartedSeries.inc(this.budget.labels('runs_started', labels.workflow, { trigger: labels.trigger })),
  };

  /** Runs that reached a terminal status, by workflow (within the label budget) and status. */
  readonly runsFinished = {
    inc: (labels: { workflow: string; status: string }) =>
      this.runsFinishedSeries.inc(this.budget.labels('runs_finished', labels.workflow, { status: labels.status })),
  };

  /** How long node jobs waited for a worker, by workflow (within the label budget). */
  readonly nodeQueueWait = {
    observe: (labels: { workflow: string }, seconds: number) =>
      this.nodeQueueWaitSeries.observe(this.budget.labels('node_queue_wait', labels.workflow, {}), seconds),
  };

  readonly scheduleFirings = new Counter({
    name: 'flowline_schedule_firings_total',
    help: 'Schedule firings, by outcome (FIRED, SKIPPED_OVERLAP, MISSED, CATCHUP, BACKFILL)',
    labelNames: ['outcome'] as const,
    registers: [this.registry],
  });

  readonly reconcilerActions = new Counter({
    name: 'flowline_reconciler_actions_total',
    help: 'Repairs the reconciler made, by action (e.g. lease taken over, job re-dispatched, run settled)',
    labelNames: ['action'] as const,
    registers: [this.registry],
  });

  readonly nodeClaims = new Counter({
    name: 'flowline_node_claims_total',
    help: 'Node attempts that became RUNNING, by how they were claimed (taken: claimed by the worker that took them; at-release: claimed in the write that released them; after-start: started before their claim)',
    labelNames: ['way'] as const,
    registers: [this.registry],
  });

  readonly staleDecisions = new Counter({
    name: 'flowline_stale_decisions_total',
    help: 'Decision writes that found the state they were decided on moved (a race lost, normal under contention) and were decided again, by where the state came from (known, unlocked, locked)',
    labelNames: ['source'] as const,
    registers: [this.registry],
  });

  readonly notificationAttempts = new Counter({
    name: 'flowline_notification_attempts_total',
    help: 'Webhook delivery attempts, by event (FAIL, TIMEOUT, SUCCESS, CANCEL, SLA_MISSED) and outcome (delivered; failed: to be retried; dead: given up)',
    labelNames: ['event', 'outcome'] as const,
    registers: [this.registry],
  });

  readonly notificationLatency = new Histogram({
    name: 'flowline_notification_delivery_seconds',
    help: 'From the event (a run ending, an SLA missed) to its webhook delivery acknowledged, retries included',
    labelNames: ['event'] as const,
    buckets: [0.05, 0.2, 1, 5, 30, 120, 600, 3600],
    registers: [this.registry],
  });

  private readonly slaMissedSeries = new Counter({
    name: 'flowline_sla_missed_total',
    help: 'Runs that did not end within their SLA (each counted once), by workflow',
    labelNames: ['workflow'] as const,
    registers: [this.registry],
  });

  /** Runs that missed their SLA, by workflow (within the label budget). */
  readonly slaMissed = {
    inc: (labels: { workflow: string }, count = 1) => this.slaMissedSeries.inc(this.budget.labels('sla_missed', labels.workflow, {}), count),
  };

  readonly bulkRuns = new Counter({
    name: 'flowline_bulk_operation_runs_total',
    help: 'Runs a bulk operation worked on, by action (cancel, rerun, resume) and outcome (succeeded, skipped: not applicable, failed)',
    labelNames: ['action', 'outcome'] as const,
    registers: [this.registry],
  });

  private readonly budget: LabelBudget;
  private readonly cacheMs: number;
  private rendered: { readonly at: number; readonly body: string } | undefined;
  private rendering: Promise<string> | undefined;

  constructor(options: FlowlineMetricsOptions = {}) {
    if (options.processMetrics) collectDefaultMetrics({ register: this.registry });
    this.budget = new LabelBudget(options.maxWorkflows ?? DEFAULT_MAX_WORKFLOWS, options.maxSeriesPerWorkflow ?? DEFAULT_MAX_SERIES_PER_WORKFLOW);
    this.cacheMs = options.cacheMs ?? 0;
  }

  /**
   * Exports the depth and lag of every queue in `queues` (read from Redis at
   * scrape time, so queues opened later are included): the job counts by
   * state, and the age of the oldest waiting job (0 when none waits), which is
   * what an alert on starved workers wants — a queue of a handler no live
   * worker serves shows here as a growing wait.
   */
  watchQueues(queues: () => Iterable<Queue>): void {
    new Gauge({
      name: 'flowline_queue_jobs',
      help: 'Jobs in a BullMQ queue, by state',
      labelNames: ['queue', 'state'] as const,
      registers: [this.registry],
      async collect() {
        for (const queue of queues()) {
          const counts = await queue.getJobCounts(...QUEUE_STATES);
          for (const state of QUEUE_STATES) this.set({ queue: queue.name, state }, counts[state] ?? 0);
        }
      },
    });
    new Gauge({
      name: 'flowline_queue_oldest_waiting_seconds',
      help: 'Age of the oldest job waiting for a worker (0 when none waits)',
      labelNames: ['queue'] as const,
      registers: [this.registry],
      async collect() {
        for (const queue of queues()) {
          const since = (await oldestWaitingSince(queue)) ?? Date.now();
          this.set({ queue: queue.name }, Math.max(0, (Date.now() - since) / 1000));
        }
      },
    });
  }

  /** Exports the read replica's lag and which server serves history reads (FLOWLINE_READ_DATABASE_URL), read at scrape time. */
  watchReadReplica(state: () => ReplicaState): void {
    new Gauge({
      name: 'flowline_read_replica_lag_seconds',
      help: "How far the read replica's replay is behind the primary (NaN while it cannot be measured)",
      registers: [this.registry],
      collect() {
        this.set(state().lagSeconds ?? Number.NaN);
      },
    });
    new Gauge({
      name: 'flowline_read_replica_serving',
      help: 'Whether history reads go to the read replica (1) or, the replica lagging or lost, to the primary (0)',
      registers: [this.registry],
      collect() {
        this.set(state().serving === 'replica' ? 1 : 0);
      },
    });
  }

  /** Records a node attempt's handler time, by its workflow and node type, under the status its outcome gives the node. */
  observeNode(node: { readonly workflowName: string; readonly type: string }, event: RunEvent, seconds: number): void {
    if (!('node' in event)) return;
    const outcome = event.type === 'NODE_SUCCEEDED' ? 'SUCCESS' : event.type === 'NODE_FAILED' ? event.failure : 'CANCEL';
    this.nodeDuration.observe(this.budget.labels('node_duration', node.workflowName, { type: node.type, outcome }), seconds);
  }

  /**
   * The exposition text and its content type, for a `/metrics` endpoint.
   * Concurrent scrapes share one render, and a scrape within `cacheMs` of the
   * last render gets its text: however many scrapers come, the process
   * renders at most once per `cacheMs`.
   */
  async exposition(): Promise<{ contentType: string; body: string }> {
    const fresh = this.rendered !== undefined && Date.now() - this.rendered.at < this.cacheMs;
    const body = fresh ? this.rendered!.body : await (this.rendering ??= this.render());
    return { contentType: this.registry.contentType, body };
  }

  private async render(): Promise<string> {
    try {
      const body = await this.registry.metrics();
      this.rendered = { at: Date.now(), body };
      return body;
    } finally {
      this.rendering = undefined;
    }
  }
}
