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

  add(running: RunningAttempt): void {
    this.byKey.set(attemptKey(running.attempt), running);
  }

  delete(attempt: NodeAttempt): void {
    this.byKey.delete(attemptKey(attempt));
  }

  /** Aborts one attempt, if it runs here. */
  abort(attempt: NodeAttempt, reason: AbortReason): void {
    this.byKey.get(attemptKey(attempt))?.abort.abort(reason);
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
