import type { DeliveryOptions } from '../notifications/notifications.ts';
import { systemsOf, type Engine } from '../runtime/engine.ts';

/**
 * One pass of an operations loop's work, by hand, for tests that play a
 * process doing exactly that much and then vanishing (see OperationsLoops for
 * the loops themselves).
 */
export const workOnce = {
  /** one batch of the next bulk operation; false when none was running */
  bulkBatch: (engine: Engine): Promise<boolean> => systemsOf(engine).bulk.workBatch(),
  /** one batch of the next backfill; false when none moved */
  backfillBatch: (engine: Engine): Promise<boolean> => systemsOf(engine).backfills.workBatch(),
  /** one batch of due webhook deliveries; false when none was due */
  deliveries: (engine: Engine, options: DeliveryOptions): Promise<boolean> => systemsOf(engine).resources.notifications.deliverDue(options),
};
