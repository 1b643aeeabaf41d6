import { formatDateTime, formatOffset, zonedTime } from '../zonedTime.ts';

/** Go's zero time.Time as RFC3339: what TiEM prints for a time never set (deleteTime, a running node's endTime). */
export const TIEM_ZERO_TIME = '0001-01-01T00:00:00Z';

/**
 * Go's `time.RFC3339Nano` in the display zone: fraction with trailing zeros
 * trimmed (and no dot when it is zero), `Z` when the zone is UTC, else the
 * offset: `2022-04-28T16:00:41.7+08:00`. Stored times have millisecond
 * precision, so at most three fraction digits appear.
 */
export function tiemTime(date: Date | null, timeZone: string): string {
  if (!date) return TIEM_ZERO_TIME;
  const t = zonedTime(date, timeZone);
  const fraction = t.millisecond === 0 ? '' : `.${String(t.millisecond).padStart(3, '0').replace(/0+$/, '')}`;
  const offset = t.offsetMinutes === 0 ? 'Z' : formatOffset(t.offsetMinutes);
  return `${formatDateTime(t, 'T')}${fraction}${offset}`;
}
