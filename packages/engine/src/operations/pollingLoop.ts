import type { Logger } from 'pino';

/**
 * A loop that works while there is work: it calls `work` until it answers
 * false (nothing left, or nothing due), then sleeps `pollMs`, and again. The
 * work itself is safe on any number of processes (row locks, SKIP LOCKED,
 * conditional writes); this only paces one process. A failure is logged and
 * the loop goes on after its sleep: Postgres being away for a while is not
 * the end of an outbox.
 */
export class PollingLoop {
  private stopped = true;
  private wake: (() => void) | undefined;
  private running: Promise<void> | undefined;

  constructor(
    private readonly name: string,
    private readonly work: () => Promise<boolean>,
    private readonly pollMs: number,
    private readonly logger: Logger | undefined,
  ) {}

  start(): void {
    if (!this.stopped) return;
    this.stopped = false;
    this.running = this.loop();
  }

  /** Stops after the work in progress (it commits or rolls back whole). */
  async stop(): Promise<void> {
    this.stopped = true;
    this.wake?.();
    await this.running;
  }

  private async loop(): Promise<void> {
    while (!this.stopped) {
      try {
        while (!this.stopped && (await this.work()));
      } catch (error) {
        this.logger?.warn({ err: error, loop: this.name }, 'loop pass failed; trying again');
      }
      if (this.stopped) break;
      await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, this.pollMs);
        this.wake = () => {
          clearTimeout(timer);
          resolve();
        };
      });
    }
  }
}
