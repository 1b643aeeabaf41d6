/** Fire times one backfill may cover; a longer range is several backfills, or a schedule firing too often to backfill. */
export const MAX_BACKFILL_FIRE_TIMES = 10_000;

/** Fire times one backfill batch looks at, at most. */
export const BACKFILL_BATCH = 200;

/** Runs of one backfill going at once, unless it asks for another bound. */
export const DEFAULT_BACKFILL_CONCURRENCY = 10;

/** What a backfill batch decides on. */
export interface BackfillState {
  /** the range's end, exclusive */
  readonly to: Date;
  /**
   * The first fire time the live scheduler owns (the schedule's cursor), or
   * undefined when it owns none of the range (paused: a resume starts after
   * now). A backfill never writes a fire time the scheduler is yet to decide.
   */
  readonly schedulerFrom: Date | undefined;
  /** runs it may start now: its bound on concurrent runs less its runs still going */
  readonly room: number;
  /** fire times of the window the ledger already has a row for (epoch ms) */
  readonly taken: ReadonlySet<number>;
}

/** A batch's decision: the fire times to run, how many it passed over, and where the next batch starts. */
export interface BackfillDecision {
  readonly fire: readonly Date[];
  /** fire times the ledger already had */
  readonly skipped: number;
  /** the first fire time not yet decided; undefined when done */
  readonly cursor: Date | undefined;
  /** the range is covered: the rest, if any, is the live scheduler's */
  readonly done: boolean;
}

/**
 * Which fire times a backfill batch runs (pure): walking `window` — the
 * schedule's fire times from the cursor on, ascending — each one the ledger
 * has is passed over; the others run while there is room; the walk stops at
 * the range's end, at the first fire time the live scheduler owns, or when
 * the room is used up (the next batch starts there). `after` is the fire
 * time following the window, where the next batch starts if this one walked
 * the whole window.
 */
export function decideBackfill(state: BackfillState, window: readonly Date[], after: Date | undefined): BackfillDecision {
  const fire: Date[] = [];
  let skipped = 0;
  let room = state.room;
  const ended = (t: Date) => t.getTime() >= state.to.getTime() || (state.schedulerFrom !== undefined && t.getTime() >= state.schedulerFrom.getTime());
  for (const t of window) {
    if (ended(t)) return { fire, skipped, cursor: undefined, done: true };
    if (state.taken.has(t.getTime())) {
      skipped++;
      continue;
    }
    if (room === 0) return { fire, skipped, cursor: t, done: false };
    fire.push(t);
    room--;
  }
  if (after === undefined || ended(after)) return { fire, skipped, cursor: undefined, done: true };
  return { fire, skipped, cursor: after, done: false };
}
