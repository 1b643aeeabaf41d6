import { hostname } from 'node:os';
import { Worker, type Job } from 'bullmq';
import type { Redis } from 'ioredis';
import {
  COMPLETED,
  QueueName,
  bullPrefix,
  claimNode,
  loadNodeOutputs,
  resultText,
  subscribeAborts,
  uuidToShortId,
  type Engine,
  type NodeContext,
  type NodeJobData,
  type RunEvent,
} from '@flowline/engine';

export interface NodeWorkerOptions {
  readonly concurrency: number;
  /** a fresh connection for BullMQ's blocking reads */
  readonly connection: Redis;
  /** a fresh connection for the abort channel subscription */
  readonly subscriber: Redis;
  /** how long a SIGTERM waits for running handlers before leaving them to the reconciler */
  readonly drainMs?: number;
}

/** Why a handler's signal was aborted. */
const AbortReason = { CANCEL: 'cancel', TIMEOUT: 'timeout' } as const;
type AbortReason = (typeof AbortReason)[keyof typeof AbortReason];

/** How long a claimed node is this worker's before another process may treat it as abandoned. */
const DEFAULT_LEASE_MS = 5 * 60_000;

/**
 * Runs node jobs: claim the attempt in Postgres (READY → RUNNING), run its
 * handler with an AbortSignal wired to cancel and timeout, then report the
 * outcome as an event to the engine, which decides what runs next.
 */
export class NodeWorker {
  private worker: Worker<NodeJobData> | undefined;
  private readonly running = new Map<string, AbortController>();
  private readonly leaseOwner = `${hostname()}:${process.pid}:${Math.random().toString(36).slice(2, 8)}`;

  constructor(
    private readonly engine: Engine,
    private readonly options: NodeWorkerOptions,
  ) {}

  async start(): Promise<void> {
    await subscribeAborts(this.options.subscriber, this.engine.queuePrefix, (target) => {
      this.running.get(attemptKey(target))?.abort(AbortReason.CANCEL);
    });
    this.worker = new Worker<NodeJobData>(QueueName.NODES, (job) => this.process(job), {
      connection: this.options.connection,
      prefix: bullPrefix(this.engine.queuePrefix),
      concurrency: this.options.concurrency,
      // Postgres leases, not BullMQ's stall detection, decide whether a node is
      // abandoned; a stalled job is re-delivered at most once and the claim drops it.
      maxStalledCount: 1,
    });
    this.worker.on('error', (error) => this.engine.logger?.error({ err: error }, 'node worker error'));
    // A job fails only on infrastructure errors (Postgres down mid-claim); the node row is untouched or leased, and the reconciler owns it.
    this.worker.on('failed', (job, error) => this.engine.logger?.error({ err: error, job: job?.id }, 'node job failed'));
    await this.worker.waitUntilReady();
  }

  private async process(job: Job<NodeJobData>): Promise<void> {
    const { runId, node, attempt } = job.data;
    const log = this.engine.logger?.child({ runId: uuidToShortId(runId), node, attempt });
    const claimed = await claimNode(this.engine.db.pool, {
      runId,
      node,
      attempt,
      leaseOwner: this.leaseOwner,
      leaseMs: DEFAULT_LEASE_MS,
      now: this.engine.now(),
    });
    if (!claimed) {
      log?.debug('stale node job dropped');
      return;
    }
    const dag = await this.engine.definitions.dag(claimed.definitionId, claimed.definitionVersion);
    const spec = dag.nodes.get(node)!;
    const parents = await loadNodeOutputs(this.engine.db.pool, runId, dag.parents.get(node) ?? []);

    const controller = new AbortController();
    const key = attemptKey(job.data);
    this.running.set(key, controller);
    if (claimed.cancelRequested) controller.abort(AbortReason.CANCEL);
    const timer =
      spec.timeoutMs === undefined ? undefined : setTimeout(() => controller.abort(AbortReason.TIMEOUT), spec.timeoutMs);
    const lines: string[] = [];
    const nodeId = uuidToShortId(claimed.nodeId);
    const context: NodeContext = {
      runId: uuidToShortId(runId),
      nodeId,
      workflow: claimed.workflowName,
      node,
      attempt,
      bizId: claimed.bizId,
      input: claimed.input,
      params: claimed.parameters,
      parents,
      signal: controller.signal,
      idempotencyKey: `${nodeId}:${attempt}`,
      log: (line) => lines.push(line),
    };

    let event: RunEvent;
    try {
      const handler = this.engine.registry.resolve(spec);
      if (!handler) {
        const error = `no handler for node type ${spec.type}${spec.handler ? ` (${spec.handler})` : ''} on this worker`;
        event = { type: 'NODE_FAILED', node, attempt, failure: 'INTERNAL_ERROR', outcome: { error, result: resultText([error], '') } };
      } else {
        const output = await untilAborted(handler(context), controller.signal);
        event = { type: 'NODE_SUCCEEDED', node, attempt, outcome: { output: output ?? null, result: resultText(lines, COMPLETED) } };
      }
    } catch (error) {
      event = failureEvent(node, attempt, controller.signal, error, lines, spec.timeoutMs);
    } finally {
      clearTimeout(timer);
      this.running.delete(key);
    }
    log?.info({ event: event.type }, 'node finished');
    await this.engine.transition(runId, event);
  }

  /**
   * Stops taking jobs and waits up to `drainMs` for running handlers; after
   * that they are aborted and their nodes left to lease expiry.
   */
  async close(): Promise<void> {
    if (!this.worker) return;
    const drained = this.worker.close();
    const drainMs = this.options.drainMs ?? 10_000;
    const timeout = new Promise<'timeout'>((resolve) => setTimeout(() => resolve('timeout'), drainMs).unref());
    if ((await Promise.race([drained, timeout])) === 'timeout') {
      for (const controller of this.running.values()) controller.abort(AbortReason.CANCEL);
      await this.worker.close(true);
    }
    await this.options.subscriber.quit().catch(() => {});
  }
}

function attemptKey(target: NodeJobData): string {
  return `${target.runId}.${target.node}.${target.attempt}`;
}

/**
 * Settles with the handler, or rejects as soon as the signal aborts: a handler
 * that ignores its signal cannot keep a cancelled or timed-out node RUNNING.
 */
function untilAborted<T>(work: Promise<T>, signal: AbortSignal): Promise<T> {
  if (signal.aborted) {
    work.catch(() => {});
    return Promise.reject(signal.reason);
  }
  return new Promise<T>((resolve, reject) => {
    const onAbort = () => reject(signal.reason);
    signal.addEventListener('abort', onAbort, { once: true });
    work.then(resolve, reject).finally(() => signal.removeEventListener('abort', onAbort));
  });
}

function failureEvent(
  node: string,
  attempt: number,
  signal: AbortSignal,
  error: unknown,
  lines: string[],
  timeoutMs: number | undefined,
): RunEvent {
  if (signal.aborted && signal.reason === AbortReason.TIMEOUT) {
    const message = `timed out after ${timeoutMs} ms`;
    return { type: 'NODE_FAILED', node, attempt, failure: 'TIMEOUT', outcome: { error: message, result: resultText([...lines, message], '') } };
  }
  if (signal.aborted) {
    return { type: 'NODE_CANCELED', node, attempt, outcome: { error: 'cancelled', result: resultText([...lines, 'cancelled'], '') } };
  }
  const message = error instanceof Error ? error.message : String(error);
  return { type: 'NODE_FAILED', node, attempt, failure: 'FAIL', outcome: { error: message, result: resultText([...lines, message], '') } };
}
