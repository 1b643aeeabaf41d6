/**
 * A point in time as a wall clock in an IANA zone: what every dialect's time
 * format is built from. Intl does the zone arithmetic (DST included); the
 * formatters are cached per zone because constructing one costs ~50 µs.
 */
export interface ZonedTime {
  readonly year: number;
  readonly month: number;
  readonly day: number;
  readonly hour: number;
  readonly minute: number;
  readonly second: number;
  readonly millisecond: number;
  /** offset from UTC in minutes, e.g. 480 for +08:00 */
  readonly offsetMinutes: number;
}

const formatters = new Map<string, Intl.DateTimeFormat>();

function formatter(timeZone: string): Intl.DateTimeFormat {
  let f = formatters.get(timeZone);
  if (!f) {
    f = new Intl.DateTimeFormat('en-US', {
      timeZone,
      hourCycle: 'h23',
      year: 'numeric',
      month: '2-digit',
      day: '2-digit',
      hour: '2-digit',
      minute: '2-digit',
      second: '2-digit',
    });
    formatters.set(timeZone, f);
  }
  return f;
}

export function zonedTime(date: Date, timeZone: string): ZonedTime {
  const parts: Record<string, number> = {};
  for (const part of formatter(timeZone).formatToParts(date)) {
    if (part.type !== 'literal') parts[part.type] = Number(part.value);
  }
  const millisecond = date.getUTCMilliseconds();
  const asUtc = Date.UTC(parts.year!, parts.month! - 1, parts.day!, parts.hour!, parts.minute!, parts.second!, millisecond);
  return {
    year: parts.year!,
    month: parts.month!,
    day: parts.day!,
    hour: parts.hour!,
    minute: parts.minute!,
    second: parts.second!,
    millisecond,
    offsetMinutes: Math.round((asUtc - date.getTime()) / 60_000),
  };
}

const pad = (n: number, width = 2) => String(n).padStart(width, '0');

/** `+08:00` (or `+0800` without the colon); `Z` is never used, vendors print the offset. */
export function formatOffset(offsetMinutes: number, colon = true): string {
  const sign = offsetMinutes < 0 ? '-' : '+';
  const abs = Math.abs(offsetMinutes);
  return `${sign}${pad(Math.floor(abs / 60))}${colon ? ':' : ''}${pad(abs % 60)}`;
}

/** `yyyy-MM-dd HH:mm:ss` */
export function formatDateTime(t: ZonedTime, dateTimeSeparator = ' '): string {
  return `${t.year}-${pad(t.month)}-${pad(t.day)}${dateTimeSeparator}${pad(t.hour)}:${pad(t.minute)}:${pad(t.second)}`;
}

/** `yyyyMMddHHmmss`, the compact stamp in EnOS instance ids and Explorer job names */
export function formatCompact(t: ZonedTime): string {
  return `${t.year}${pad(t.month)}${pad(t.day)}${pad(t.hour)}${pad(t.minute)}${pad(t.second)}`;
}
