import type { NodeAttempt } from '@flowline/engine';
import type { AbortReason, AttemptAbort } from './attemptAbort.ts';

/**
 * How an attempt whose handler runs here is held: claimed (RUNNING under
 * this worker's lease), started before its claim ('unclaimed'), or a claim of
 * it being written (its answer: whether the row was still READY on the
 * attempt and is now this worker's).
 */
export type AttemptHold = 'claimed' | 'unclaimed' | Promise<boolean>;

/** An attempt whose handler runs here. */
export interface RunningAttempt {
  readonly attempt: NodeAttempt;
  readonly abort: AttemptAbort;
  hold: AttemptHold;
  /** its handler has ended and its report is being decided: still held (its lease renewed), never claimed again */
  reporting: boolean;
}

/** How long an abort waits for its attempt to start here: longer than a claim takes to reach its handler. */
const EARLY_ABORT_MS = 5_000;

/** The key of an attempt among those running here (and among a lease renewal's answers). */
export function attemptKey({ runId, node, attempt }: NodeAttempt): string {
  return `${runId}.${node}.${attempt}`;
}

/**
 * The attempts whose handlers run in this worker, by attempt: what the
 * heartbeat renews (the claimed ones), what a cancel message aborts, and what
 * a deferred claim or a withdrawal looks through (those started before their claim).
 */
export class RunningAttempts {
  private readonly byKey = new Map<string, RunningAttempt>();
  /**
   * Aborts that came for attempts not running here yet, by key, until when
   * they count: a cancel published between an attempt's claim and its start
   * here would otherwise miss it, and the attempt run to the end.
   */
  private readonly early = new Map<string, { readonly reason: AbortReason; readonly until: number }>();

  add(running: RunningAttempt): void {
    const key = attemptKey(running.attempt);
    this.byKey.set(key, running);
    const early = this.early.get(key);
    if (early === undefined) return;
    this.early.delete(key);
    if (early.until >= Date.now()) running.abort.abort(early.reason);
  }

  delete(attempt: NodeAttempt): void {
    this.byKey.delete(attemptKey(attempt));
  }

  /** Aborts one attempt: now if it runs here, else as soon as it starts here within the next few seconds. */
  abort(attempt: NodeAttempt, reason: AbortReason): void {
    const key = attemptKey(attempt);
    const running = this.byKey.get(key);
    if (running) {
      running.abort.abort(reason);
      return;
    }
    const now = Date.now();
    for (const [old, { until }] of this.early) if (until < now) this.early.delete(old);
    this.early.set(key, { reason, until: now + EARLY_ABORT_MS });
  }

  /** Aborts every attempt running here. */
  abortAll(reason: AbortReason): void {
    for (const { abort } of this.byKey.values()) abort.abort(reason);
  }

  /** The attempts held under this worker's lease. */
  claimed(): RunningAttempt[] {
    return [...this.byKey.values()].filter((running) => running.hold === 'claimed');
  }

  /** The attempts started before their claim, still running and not being claimed yet, of one run or of all. */
  unclaimed(runId?: string): RunningAttempt[] {
    return [...this.byKey.values()].filter(
      (running) => running.hold === 'unclaimed' && !running.reporting && (runId === undefined || running.attempt.runId === runId),
    );
  }
}
