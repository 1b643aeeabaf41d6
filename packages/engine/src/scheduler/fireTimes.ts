import { Cron } from 'croner';
import { ScheduleExpressionInvalid } from '../errors.ts';
import { toCronerPattern, type ExpressionForm } from './cronExpression.ts';

/**
 * The fire times of one expression in one IANA zone. Pure: every question
 * takes the instant it is asked about; nothing reads the clock.
 *
 * DST rule (croner's, after Vixie cron, with `fixedTimeRule: 'no-wildcard'`):
 * - A fixed-time schedule (no `*` or step in second, minute and hour, e.g.
 *   `0 30 2 * * ?` or `0 0 9,17 * * ?`) fires once per matching day. A wall
 *   time that occurs twice (fall back) fires at its first occurrence only; a
 *   wall time that does not exist (spring forward) fires at the first valid
 *   time after the gap (02:30 → 03:00), never silently skipped.
 * - An interval schedule (`*` or a step in second, minute or hour, e.g.
 *   `0 *\/15 * * * ?`) follows elapsed time: it keeps firing through the
 *   repeated hour (both passes are real, distinct instants) and has nothing to
 *   fire in the missing hour (no instant of it exists).
 */
export class FireTimes {
  readonly form: ExpressionForm;
  readonly pattern: string;
  private readonly cron: Cron;

  constructor(
    readonly expression: string,
    readonly timeZone: string,
  ) {
    const translated = toCronerPattern(expression);
    this.form = translated.form;
    this.pattern = translated.pattern;
    try {
      this.cron = new Cron(translated.pattern, { timezone: timeZone, mode: '6-or-7-parts', fixedTimeRule: 'no-wildcard', paused: true });
    } catch (error) {
      throw new ScheduleExpressionInvalid(expression, error instanceof Error ? error.message : String(error));
    }
  }

  /** The first fire time strictly after `after`; undefined when there is none (e.g. a past year). */
  next(after: Date): Date | undefined {
    return this.cron.nextRun(after) ?? undefined;
  }

  /** The next `count` fire times strictly after `after`. */
  upcoming(after: Date, count: number): Date[] {
    return this.cron.nextRuns(count, after);
  }

  /**
   * `first` (itself a fire time) and the fire times after it up to `to`, at
   * most `limit`. Walking from a known fire time, not re-matching it, keeps a
   * DST-shifted time (02:30 fired at 03:00) in the walk.
   */
  walk(first: Date, to: Date, limit: number): Date[] {
    const times: Date[] = [];
    for (let t: Date | undefined = first; t && t.getTime() <= to.getTime() && times.length < limit; t = this.next(t)) times.push(t);
    return times;
  }

  /** The latest `count` fire times at or before `at`, oldest first. */
  latest(at: Date, count: number): Date[] {
    // croner's previousRuns excludes its reference, and counts whole seconds
    return this.cron.previousRuns(count, new Date(at.getTime() + 1)).reverse();
  }
}
