import type { Command, RunEvent } from '../core/runState.ts';

interface Waiting {
  readonly event: RunEvent;
  resolve(commands: readonly Command[]): void;
  reject(error: unknown): void;
}

/**
 * Group commit of one run's events within this process. The first event of a
 * run is decided at once; events of the same run arriving meanwhile wait, and
 * are then decided together in one transaction — one lock, one commit (fsync)
 * for all — instead of queueing one transaction each on the run's row lock.
 * That lock serialises a run's decisions anyway, so the batch loses no
 * parallelism: the 1,000 middle nodes of a fan-in finishing together cost a
 * few commits instead of 1,000. Each caller still gets its own event's commands.
 */
export class RunEventBatches {
  private readonly waiting = new Map<string, Waiting[]>();

  constructor(
    /** decides the events in order, in one transaction; one command list per event */
    private readonly decideBatch: (runUuid: string, events: readonly RunEvent[]) => Promise<(readonly Command[])[]>,
    private readonly maxBatch = 500,
  ) {}

  submit(runUuid: string, event: RunEvent): Promise<readonly Command[]> {
    return new Promise((resolve, reject) => {
      const queue = this.waiting.get(runUuid);
      if (queue) {
        queue.push({ event, resolve, reject });
        return;
      }
      const fresh: Waiting[] = [{ event, resolve, reject }];
      this.waiting.set(runUuid, fresh);
      void this.drain(runUuid, fresh);
    });
  }

  private async drain(runUuid: string, queue: Waiting[]): Promise<void> {
    try {
      while (queue.length > 0) {
        const batch = queue.splice(0, this.maxBatch);
        try {
          const decided = await this.decideBatch(runUuid, batch.map((w) => w.event));
          batch.forEach((w, i) => w.resolve(decided[i]!));
        } catch (error) {
          if (batch.length === 1) batch[0]!.reject(error);
          // One event's failure must not become its neighbours': decide them one by one.
          else await Promise.all(batch.map((w) => this.decideBatch(runUuid, [w.event]).then((d) => w.resolve(d[0]!), w.reject)));
        }
      }
    } finally {
      this.waiting.delete(runUuid);
    }
  }
}
