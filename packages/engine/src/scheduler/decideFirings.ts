import type { FireTimes } from './fireTimes.ts';
import { FiringOutcome, MisfirePolicy, OverlapPolicy } from './scheduleSpec.ts';

/**
 * A fire time older than this when a scheduler first sees it was missed
 * (no replica was running). Quartz's default misfire threshold.
 */
export const MISFIRE_THRESHOLD_MS = 60_000;

/** Fire times one decision covers; a longer backlog (a week of a per-second schedule) is worked off over consecutive decisions. */
export const MAX_FIRE_TIMES_PER_DECISION = 500;

/** Firings a `queue` schedule holds; beyond them a firing is SKIPPED_OVERLAP, so a stuck run cannot grow the queue without bound. */
export const MAX_QUEUED_FIRINGS = 100;

/** What a schedule's firing decision reads. */
export interface ScheduleState {
  readonly overlap: OverlapPolicy;
  readonly misfire: MisfirePolicy;
  readonly catchUpMax: number;
  /** the first fire time not yet decided; undefined when the expression fires no more */
  readonly nextFireTime: Date | undefined;
  readonly lastRunId: string | undefined;
  /** whether the run this schedule started last is still going */
  readonly lastRunLive: boolean;
  readonly queuedCount: number;
  readonly oldestQueuedId: number | undefined;
}

export type FiringCommand =
  /** start the run of the oldest QUEUED firing (it becomes FIRED) */
  | { readonly type: 'START_QUEUED'; readonly firingId: number }
  | { readonly type: 'CANCEL_RUN'; readonly runId: string }
  /** a ledger row; FIRED and CATCHUP start a run in the same transaction */
  | { readonly type: 'RECORD'; readonly fireTime: Date; readonly outcome: FiringOutcome }
  /** move the cursor to the first fire time after those recorded */
  | { readonly type: 'ADVANCE'; readonly to: Date | undefined };

/** Whether a ledger outcome starts a run. */
export const startsRun = (outcome: FiringOutcome) => outcome === FiringOutcome.FIRED || outcome === FiringOutcome.CATCHUP;

/**
 * The firing decision: which due fire times run, which were missed, which
 * overlap — a pure function of the schedule's state, its fire times and now.
 *
 * 1. A fire time at most MISFIRE_THRESHOLD_MS old is on time (FIRED).
 *    Older ones were misfired: the misfire policy picks the latest 0
 *    (skip), 1 (fire_once) or catchUpMax (catch_up) to run as CATCHUP, the
 *    rest are MISSED.
 * 2. Each one that would run then meets the overlap policy, in fire-time
 *    order, as if the runs before it had started: skip → SKIPPED_OVERLAP
 *    while a run is live; queue → QUEUED; cancel_previous → the live run is
 *    cancelled and only the latest due fire time runs (earlier ones in the
 *    same decision would be cancelled at once, so they are SKIPPED_OVERLAP).
 */
export function decideFirings(state: ScheduleState, fireTimes: FireTimes, now: Date): FiringCommand[] {
  const commands: FiringCommand[] = [];
  let live = state.lastRunLive;
  let queued = state.queuedCount;
  if (!live && state.oldestQueuedId !== undefined) {
    commands.push({ type: 'START_QUEUED', firingId: state.oldestQueuedId });
    live = true;
    queued--;
  }
  const first = state.nextFireTime;
  if (!first || first.getTime() > now.getTime()) return commands;

  const due = fireTimes.walk(first, now, MAX_FIRE_TIMES_PER_DECISION);
  const onTimeFrom = now.getTime() - MISFIRE_THRESHOLD_MS;
  const catchUpCount = { [MisfirePolicy.SKIP]: 0, [MisfirePolicy.FIRE_ONCE]: 1, [MisfirePolicy.CATCH_UP]: state.catchUpMax }[state.misfire];
  const catchUp = new Set(catchUpCount > 0 ? fireTimes.latest(new Date(onTimeFrom - 1), catchUpCount).map((t) => t.getTime()) : []);
  const intended = due.map((fireTime) => {
    const t = fireTime.getTime();
    const outcome = t >= onTimeFrom ? FiringOutcome.FIRED : catchUp.has(t) ? FiringOutcome.CATCHUP : FiringOutcome.MISSED;
    return { fireTime, outcome };
  });

  const lastToRun = intended.findLast((f) => startsRun(f.outcome));
  for (const { fireTime, outcome } of intended) {
    let recorded: FiringOutcome = outcome;
    if (startsRun(outcome)) {
      if (state.overlap === OverlapPolicy.SKIP && live) recorded = FiringOutcome.SKIPPED_OVERLAP;
      if (state.overlap === OverlapPolicy.QUEUE && live) {
        recorded = queued < MAX_QUEUED_FIRINGS ? FiringOutcome.QUEUED : FiringOutcome.SKIPPED_OVERLAP;
        if (recorded === FiringOutcome.QUEUED) queued++;
      }
      if (state.overlap === OverlapPolicy.CANCEL_PREVIOUS) {
        if (fireTime !== lastToRun!.fireTime) recorded = FiringOutcome.SKIPPED_OVERLAP;
        else if (live && state.lastRunId !== undefined) commands.push({ type: 'CANCEL_RUN', runId: state.lastRunId });
      }
      if (startsRun(recorded)) live = true;
    }
    commands.push({ type: 'RECORD', fireTime, outcome: recorded });
  }
  commands.push({ type: 'ADVANCE', to: fireTimes.next(due.at(-1)!) });
  return commands;
}
