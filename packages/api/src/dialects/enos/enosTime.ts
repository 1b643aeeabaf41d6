import { formatCompact, formatDateTime, zonedTime } from '../zonedTime.ts';

/** `yyyy-MM-dd HH:mm:ss` in the display zone; "" for a time not set yet (a start or end still to come). */
export function enosDateTime(date: Date | null, timeZone: string): string {
  return date ? formatDateTime(zonedTime(date, timeZone)) : '';
}

/**
 * EnOS's `timestamp`: Java's `java.sql.Timestamp.toString()`, which the vendor
 * serialises: `yyyy-MM-dd HH:mm:ss.f` with the fraction's trailing zeros
 * trimmed but at least one digit (`08:09:48.0`, `08:09:48.25`).
 */
export function enosTimestamp(date: Date, timeZone: string): string {
  const t = zonedTime(date, timeZone);
  const fraction = String(t.millisecond).padStart(3, '0').replace(/0+$/, '') || '0';
  return `${formatDateTime(t)}.${fraction}`;
}

/** `yyyyMMddHHmmss` in the display zone: the stamp of instance and task-instance ids. */
export function enosStamp(date: Date, timeZone: string): string {
  return formatCompact(zonedTime(date, timeZone));
}
