/** EnOS scheduling cycles: month, week, day, hour; "" for an instance no schedule started. */
export const EnosCycle = { MONTH: 'M', WEEK: 'W', DAY: 'D', HOUR: 'H', NONE: '' } as const;
export type EnosCycle = (typeof EnosCycle)[keyof typeof EnosCycle];

const FIXED = /^\d+$/;

/**
 * The cycle of a Quartz expression (`sec min hour day-of-month month
 * day-of-week [year]`), as EnOS derives it: a fixed day of the month fires
 * monthly, a fixed day of the week weekly, a fixed hour daily, anything
 * firing more often than daily hourly. `0 0 0 * * ? *` → D, `0 0 23 ? * 6` → W.
 */
export function cycleOfQuartz(expression: string): EnosCycle {
  const fields = expression.trim().split(/\s+/);
  if (fields.length === 5) fields.unshift('0'); // Unix cron: no seconds field
  if (fields.length < 6) return EnosCycle.NONE;
  const [, , hour, dayOfMonth, , dayOfWeek] = fields as [string, string, string, string, string, string];
  const open = (f: string) => f === '*' || f === '?';
  if (!open(dayOfMonth)) return EnosCycle.MONTH;
  if (!open(dayOfWeek)) return EnosCycle.WEEK;
  if (FIXED.test(hour)) return EnosCycle.DAY;
  return EnosCycle.HOUR;
}
