import { describe, expect, it } from 'vitest';
import { formatOffset, zonedTime } from '../src/dialects/zonedTime.ts';

/** The wall clock as Intl formats it, field by field: what zonedTime's cached offsets must reproduce. */
const formats = new Map<string, Intl.DateTimeFormat>();
function intlWallClock(date: Date, timeZone: string) {
  const parts: Record<string, number> = {};
  if (!formats.has(timeZone)) {
    formats.set(timeZone, new Intl.DateTimeFormat('en-US', {
      timeZone, hourCycle: 'h23', year: 'numeric', month: '2-digit', day: '2-digit', hour: '2-digit', minute: '2-digit', second: '2-digit',
    }));
  }
  for (const part of formats.get(timeZone)!.formatToParts(date)) if (part.type !== 'literal') parts[part.type] = Number(part.value);
  return { year: parts.year, month: parts.month, day: parts.day, hour: parts.hour, minute: parts.minute, second: parts.second };
}

const wallClock = (date: Date, timeZone: string) => {
  const { year, month, day, hour, minute, second } = zonedTime(date, timeZone);
  return { year, month, day, hour, minute, second };
};

describe('zonedTime', () => {
  it('matches Intl every 17 minutes through a year of DST transitions, half-hour ones included', () => {
    for (const zone of ['Europe/Berlin', 'America/New_York', 'Australia/Lord_Howe', 'Asia/Shanghai']) {
      for (let t = Date.UTC(2026, 0, 1); t < Date.UTC(2027, 0, 1); t += 17 * 60_000 + 13_000) {
        const date = new Date(t);
        expect(wallClock(date, zone), `${zone} ${date.toISOString()}`).toEqual(intlWallClock(date, zone));
      }
      // and second by second across the spring-forward and fall-back hours
      for (const edge of [Date.UTC(2026, 2, 29, 0, 30), Date.UTC(2026, 2, 8, 6, 30), Date.UTC(2026, 9, 25, 0, 30), Date.UTC(2026, 10, 1, 5, 30)]) {
        for (let t = edge; t < edge + 2 * 3600_000; t += 29_000) {
          const date = new Date(t);
          expect(wallClock(date, zone), `${zone} ${date.toISOString()}`).toEqual(intlWallClock(date, zone));
        }
      }
    }
  });

  it('matches Intl on dates spread over two centuries, local mean times and odd offsets included', () => {
    let seed = 7;
    const random = () => ((seed = (seed * 48271) % 2147483647) / 2147483647);
    for (const zone of ['Asia/Kolkata', 'America/St_Johns', 'Pacific/Chatham', 'Europe/Amsterdam', 'Asia/Kathmandu', 'UTC']) {
      for (let i = 0; i < 3000; i++) {
        const date = new Date(Date.UTC(1850, 0, 1) + Math.floor(random() * (Date.UTC(2040, 0, 1) - Date.UTC(1850, 0, 1))));
        expect(wallClock(date, zone), `${zone} ${date.toISOString()}`).toEqual(intlWallClock(date, zone));
      }
    }
  });

  it('keeps milliseconds and reports the offset in minutes', () => {
    const time = zonedTime(new Date('2026-07-01T12:34:56.789Z'), 'Europe/Berlin');
    expect(time).toMatchObject({ hour: 14, minute: 34, second: 56, millisecond: 789, offsetMinutes: 120 });
    expect(formatOffset(zonedTime(new Date('2026-01-15T00:00:00Z'), 'America/St_Johns').offsetMinutes)).toBe('-03:30');
  });
});
