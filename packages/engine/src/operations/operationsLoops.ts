import type { DeliveryOptions } from '../notifications/notifications.ts';
import { systemsOf, type Engine } from '../runtime/engine.ts';
import { PollingLoop } from './pollingLoop.ts';

/** The loops that operate flowline in the background, each safe on any number of processes. */
export const OperationsLoop = {
  /** works off bulk operations (cancel, rerun, resume of many runs) in batches */
  BULK: 'bulk',
  /** works off backfills of schedules, a batch of fire times at a time */
  BACKFILL: 'backfill',
  /** sends due webhook deliveries from the outbox, retrying failed ones */
  DELIVERY: 'delivery',
  /** records the runs that missed their SLA, and their notifications */
  SLA: 'sla',
  /** admits runs waiting for a slot of their workflow's concurrency limit (storage/admitRuns.ts) */
  ADMISSION: 'admission',
} as const;
export type OperationsLoop = (typeof OperationsLoop)[keyof typeof OperationsLoop];

/** Which loops a process runs, and how often each looks for work when it found none. */
export interface OperationsLoopsOptions {
  readonly loops: readonly OperationsLoop[];
  /** the sleep between looks when there was nothing to do; default 500 ms */
  readonly pollMs?: number;
  /** how deliveries are sent; needed by the delivery loop */
  readonly delivery?: DeliveryOptions;
}

/**
 * A process's operations loops: the worker role runs them (as it runs the
 * reconciler), each through the engine's systems. Every one takes its work
 * from Postgres rows under a lock or a conditional write, so a fleet runs
 * them all without a leader, and a process killed mid-work leaves the rest
 * to another.
 */
export class OperationsLoops {
  private readonly loops: PollingLoop[];

  constructor(engine: Engine, options: OperationsLoopsOptions) {
    const systems = systemsOf(engine);
    const pollMs = options.pollMs ?? 500;
    const work: Record<OperationsLoop, () => Promise<boolean>> = {
      [OperationsLoop.BULK]: () => systems.bulk.workBatch(),
      [OperationsLoop.BACKFILL]: () => systems.backfills.workBatch(),
      [OperationsLoop.DELIVERY]: () => {
        if (!options.delivery) throw new Error('the delivery loop needs delivery options');
        return systems.resources.notifications.deliverDue(options.delivery);
      },
      [OperationsLoop.SLA]: () => systems.resources.notifications.sweepSla(),
      [OperationsLoop.ADMISSION]: () => systems.admission.admit(),
    };
    this.loops = options.loops.map((name) => new PollingLoop(name, work[name], pollMs, engine.logger));
  }

  start(): void {
    for (const loop of this.loops) loop.start();
  }

  /** Stops every loop after its work in progress. */
  async stop(): Promise<void> {
    await Promise.all(this.loops.map((loop) => loop.stop()));
  }
}
