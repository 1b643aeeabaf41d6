import type { WorkerPort } from '@flowline/engine';
import { AbortReason } from './attemptAbort.ts';
import { attemptKey, type RunningAttempts } from './runningAttempts.ts';

/**
 * The heartbeat: every third of a lease, one statement renews every lease
 * this worker holds. It also carries news back: a node whose lease was not
 * renewed was taken over and is stopped here; one whose run asks to cancel is
 * aborted (the pub/sub abort may have been lost with Redis).
 */
export class LeaseHeartbeat {
  private timer: NodeJS.Timeout | undefined;

  constructor(
    private readonly port: WorkerPort,
    private readonly running: RunningAttempts,
  ) {}

  start(): void {
    this.timer = setInterval(() => void this.beat(), this.port.lease.ms / 3);
  }

  stop(): void {
    clearInterval(this.timer);
  }

  private async beat(): Promise<void> {
    const held = this.running.claimed();
    if (held.length === 0) return;
    const renewed = await this.port.renew(held.map((h) => h.attempt)).catch((error: unknown) => {
      this.port.logger?.warn({ err: error }, 'lease renewal failed; retrying at the next heartbeat');
      return undefined;
    });
    if (!renewed) return;
    const leases = new Map(renewed.map((lease) => [attemptKey(lease), lease]));
    // Only the attempts sent are judged: one claimed while the UPDATE ran is not in its answer yet.
    for (const { attempt, abort } of held) {
      const lease = leases.get(attemptKey(attempt));
      if (!lease) abort.abort(AbortReason.LEASE_LOST);
      else if (lease.cancelRequested) abort.abort(AbortReason.CANCEL);
    }
  }
}
