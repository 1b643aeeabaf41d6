import {
  ChildRunRequest,
  COMPLETED,
  endNodeSpan,
  failureCauseOf,
  isPostgresUnavailable,
  resultText,
  specOf,
  startNodeSpan,
  statusName,
  uuidToShortId,
  type AttemptToClaim,
  type ClaimedAttempt,
  type Command,
  type RunEvent,
  type WorkerPort,
} from '@flowline/engine';
import { AbortReason, AttemptAbort } from './attemptAbort.ts';
import { AttemptContext } from './attemptContext.ts';
import type { RunningAttempt, RunningAttempts } from './runningAttempts.ts';

/**
 * Runs attempts' handlers: claims an attempt if it is not claimed yet, runs
 * its handler with an AbortSignal wired to cancel, timeout, lease loss and
 * shutdown, and reports the outcome through the worker port, which decides
 * what runs next.
 */
export class AttemptRunner {
  /** Reports of finished attempts whose decision has not committed yet, and who waits for them all (a stopping worker). */
  private unsettledReports = 0;
  private allSettled: (() => void) | undefined;
  /** Set when the worker stops: a report Postgres refuses is then given up, its lease released with the rest. */
  private stopping = false;

  constructor(
    private readonly port: WorkerPort,
    private readonly running: RunningAttempts,
    /** claims an attempt started before its claim, before anything but its success is reported (see LocalLane) */
    private readonly claimBeforeReport: (running: RunningAttempt) => Promise<boolean>,
  ) {}

  /** Claims an attempt (a queue job's, or a local one), runs its handler and reports the outcome; a stale attempt is dropped. */
  async claimAndRun(attempt: AttemptToClaim, dueAt: number): Promise<void> {
    const claim = await this.claim(attempt);
    if (claim) await this.run(claim, dueAt);
  }

  /** Claims an attempt to run: its facts, or undefined when it is no longer claimable (a stale job, dropped). */
  async claim(attempt: AttemptToClaim): Promise<ClaimedAttempt | undefined> {
    const claim = await this.port.claim(attempt);
    if (!claim) this.port.logger?.debug({ runId: uuidToShortId(attempt.runId), node: attempt.node, attempt: attempt.attempt }, 'stale node job dropped');
    return claim;
  }

  /** Runs an attempt's handler — claimed, or started before its claim — and reports the outcome. */
  async run({ claimed, dag, parents }: ClaimedAttempt, dueAt: number, hold: 'claimed' | 'unclaimed' = 'claimed'): Promise<void> {
    const { runId, name: node, attempt } = claimed;
    const { port } = this;
    const log = port.logger?.child({ runId: uuidToShortId(runId), node, attempt });
    port.metrics.nodeQueueWait.observe({ workflow: claimed.workflowName }, Math.max(0, Date.now() - dueAt) / 1000);
    const spec = specOf(dag, node)!;

    const abort = new AttemptAbort();
    const running: RunningAttempt = { attempt: { runId, node, attempt }, abort, hold, reporting: false };
    this.running.add(running);
    const started = hold === 'unclaimed' ? port.now() : undefined;
    if (claimed.cancelRequested) abort.abort(AbortReason.CANCEL);
    const timer = spec.timeoutMs === undefined ? undefined : setTimeout(() => abort.abort(AbortReason.TIMEOUT), spec.timeoutMs);
    const lines: string[] = [];
    const span = startNodeSpan({ uuid: runId, traceId: claimed.traceId, workflow: claimed.workflowName }, node, attempt);
    const handlerStart = performance.now();
    const context = new AttemptContext(claimed, parents, abort, lines);
    const report = { node, attempt, leaseOwner: port.lease.owner };

    let event: RunEvent | undefined;
    /** what the handler handed its wait to: a child run, started when the attempt is reported */
    let child: ChildRunRequest | undefined;
    try {
      const handler = port.handlerFor(spec);
      if (!handler) {
        const error = `no handler for node type ${spec.type}${spec.handler ? ` (${spec.handler})` : ''} on this worker`;
        event = { type: 'NODE_FAILED', ...report, failure: 'INTERNAL_ERROR', outcome: { error, result: resultText([error], '') } };
      } else {
        const output = await abort.race(handler(context));
        if (output instanceof ChildRunRequest) {
          child = output;
          event = { type: 'NODE_DETACHED', ...report };
        } else event = { type: 'NODE_SUCCEEDED', node, attempt, leaseOwner: report.leaseOwner, outcome: { output: output ?? null, result: resultText(lines, COMPLETED) } };
      }
    } catch (error) {
      event = failureEvent(report, abort, error, lines, spec.timeoutMs);
    } finally {
      clearTimeout(timer);
    }
    // An attempt started before its claim reports its success as such; anything else is reported by its claim's holder.
    if (event && running.hold !== 'claimed') {
      if (running.hold === 'unclaimed' && event.type === 'NODE_SUCCEEDED') event = { ...event, unclaimedStart: started! };
      else if (!(await (running.hold === 'unclaimed' ? this.claimBeforeReport(running) : running.hold))) event = undefined;
    }
    if (!event) {
      this.running.delete(running.attempt);
      span.end();
      log?.info({ reason: abort.reason }, 'node left to the reconciler');
      return;
    }
    endNodeSpan(span, event);
    // A handler that handed its wait to a child run has not ended its node: its duration is the child's.
    if (!child) port.metrics.observeNode(claimed, event, (performance.now() - handlerStart) / 1000);
    running.reporting = true;
    void this.report(running, event, claimed, log, child);
  }

  /** Settles when every report handed on so far has been decided (or given up); from then on a refused report is given up at once. */
  async settled(): Promise<void> {
    this.stopping = true;
    if (this.unsettledReports > 0) await new Promise<void>((resolve) => (this.allSettled = resolve));
  }

  /**
   * Hands a finished attempt's report to the engine without holding its slot
   * while the decision commits: the slot takes the next attempt while the
   * report waits for its group commit, so a worker keeps `concurrency`
   * handlers running instead of idling through commit latency. The attempt
   * stays this worker's until the report commits — its lease renewed by the
   * heartbeat — and a report Postgres refuses for now (down, restarting, out
   * of connections) is sent again after a growing pause rather than given up:
   * giving it up would let the lease lapse and the node run a second time
   * though this attempt finished. It is given up only when the attempt is no
   * longer this worker's (its lease taken over) or the worker stops; the
   * reconciler then owns the node. "node finished" is logged once the
   * decision has committed, with the status it gave the node.
   */
  private async report(running: RunningAttempt, event: RunEvent, definition: ClaimedAttempt['claimed'], log: WorkerPort['logger'], child?: ChildRunRequest): Promise<void> {
    this.unsettledReports++;
    const send = () => (child ? this.port.awaitChild({ ...running.attempt, leaseOwner: this.port.lease.owner }, child) : this.port.report(running.attempt.runId, event, definition));
    for (let waitMs = REPORT_FIRST_WAIT_MS; ; waitMs = Math.min(REPORT_MAX_WAIT_MS, waitMs * 2)) {
      try {
        logFinished(log, event, await send());
        break;
      } catch (error) {
        const taken = running.abort.aborted && running.abort.reason === AbortReason.LEASE_LOST;
        if (!isPostgresUnavailable(error) || taken || this.stopping) {
          log?.error({ err: error }, 'node report not recorded; the reconciler will re-run the attempt when its lease expires');
          break;
        }
        log?.warn({ err: error, retryInMs: waitMs }, 'node report not recorded yet: Postgres refused it; trying again, the attempt still held');
        await new Promise((resolve) => setTimeout(resolve, waitMs));
      }
    }
    this.running.delete(running.attempt);
    if (--this.unsettledReports === 0) this.allSettled?.();
  }
}

/** The first pause before a report Postgres refused is sent again; it doubles up to REPORT_MAX_WAIT_MS. */
const REPORT_FIRST_WAIT_MS = 250;
const REPORT_MAX_WAIT_MS = 5_000;

/** Logs how a reported attempt ended, as the committed decision recorded it: the status it gave the node, or that the report no longer counted. */
function logFinished(log: WorkerPort['logger'], event: RunEvent, commands: readonly Command[]): void {
  if (!log || !('node' in event)) return;
  const written = commands.find((c) => c.type === 'SET_NODE' && c.node === event.node);
  if (written?.type !== 'SET_NODE') {
    log.info({ event: event.type }, 'node report not counted: the attempt was no longer current');
    return;
  }
  const retried = written.nextAttempt !== undefined;
  log.info({ event: event.type, status: statusName(retried ? (written.ended ?? written.to) : written.to), ...(retried ? { nextAttempt: written.nextAttempt } : {}) }, 'node finished');
}

/** The report of a handler that threw or was aborted; none when the node is no longer this worker's to report. */
function failureEvent(
  report: { node: string; attempt: number; leaseOwner: string },
  abort: Pick<AttemptAbort, 'aborted' | 'reason'>,
  error: unknown,
  lines: string[],
  timeoutMs: number | undefined,
): RunEvent | undefined {
  if (abort.aborted && (abort.reason === AbortReason.LEASE_LOST || abort.reason === AbortReason.SHUTDOWN)) return undefined;
  if (abort.aborted && abort.reason === AbortReason.TIMEOUT) {
    const message = `timed out after ${timeoutMs} ms`;
    return { type: 'NODE_FAILED', ...report, failure: 'TIMEOUT', outcome: { error: message, result: resultText([...lines, message], '') } };
  }
  if (abort.aborted) {
    return { type: 'NODE_CANCELED', ...report, outcome: { error: 'cancelled', result: resultText([...lines, 'cancelled'], '') } };
  }
  const message = error instanceof Error ? error.message : String(error);
  // Its code and NonRetryableError mark decide whether it is retried (core/retryPolicy.ts).
  return { type: 'NODE_FAILED', ...report, ...failureCauseOf(error), failure: 'FAIL', outcome: { error: message, result: resultText([...lines, message], '') } };
}
