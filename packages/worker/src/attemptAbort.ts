/** Why an attempt's handler was stopped. */
export const AbortReason = {
  CANCEL: 'cancel',
  TIMEOUT: 'timeout',
  /** the node is no longer this worker's (taken over, or its claim found it moved on): nothing is reported */
  LEASE_LOST: 'lease-lost',
  /** the worker is stopping: the lease is released and the node retried elsewhere */
  SHUTDOWN: 'shutdown',
} as const;
export type AbortReason = (typeof AbortReason)[keyof typeof AbortReason];

/**
 * What stops a running attempt — cancel, timeout, lease loss, shutdown — and
 * the AbortSignal its handler sees. The AbortController behind the signal is
 * made only when the handler reads `signal`: most handlers of short nodes
 * never do, and on Node 20 making one and listening to it cost ~8 µs an
 * attempt, the largest item of a fan-out node's CPU outside Postgres.
 */
export class AttemptAbort {
  private controller: AbortController | undefined;
  private stopped = false;
  private why: unknown;
  private onAbort: ((reason: unknown) => void) | undefined;

  /** The signal handed to the handler; aborted already if the attempt was. */
  get signal(): AbortSignal {
    if (!this.controller) {
      this.controller = new AbortController();
      if (this.stopped) this.controller.abort(this.why);
    }
    return this.controller.signal;
  }

  get aborted(): boolean {
    return this.stopped;
  }

  get reason(): unknown {
    return this.why;
  }

  /** Aborts the attempt; the first reason given is the one that counts. */
  abort(reason: AbortReason): void {
    if (this.stopped) return;
    this.stopped = true;
    this.why = reason;
    this.controller?.abort(reason);
    this.onAbort?.(reason);
  }

  /**
   * Settles with the handler's work, or rejects as soon as the attempt is
   * aborted: a handler that ignores its signal cannot keep a cancelled or
   * timed-out node RUNNING.
   */
  race<T>(work: Promise<T>): Promise<T> {
    if (this.stopped) {
      work.catch(() => {});
      return Promise.reject(this.why);
    }
    return new Promise<T>((resolve, reject) => {
      this.onAbort = reject;
      work.then(resolve, reject).finally(() => (this.onAbort = undefined));
    });
  }
}
