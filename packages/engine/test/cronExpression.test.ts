import { describe, expect, it } from 'vitest';
import { ScheduleExpressionInvalid } from '../src/errors.ts';
import { toCronerPattern } from '../src/scheduler/cronExpression.ts';
import { FireTimes } from '../src/scheduler/fireTimes.ts';

/**
 * Quartz (and Unix) expression → croner pattern, with the first fire times
 * after 2026-03-01T00:00:00Z in UTC as the proof that croner reads the
 * translation the way Quartz reads the original.
 */
const TABLE: readonly [expression: string, croner: string, firstFires: string[]][] = [
  ['0 0 23 * * ?', '0 0 23 * * * *', ['2026-03-01T23:00:00Z', '2026-03-02T23:00:00Z']],
  ['0 0 0 * * ? *', '0 0 0 * * * *', ['2026-03-02T00:00:00Z', '2026-03-03T00:00:00Z']],
  ['0 15 10 ? * 6L', '0 15 10 * * 5L *', ['2026-03-27T10:15:00Z', '2026-04-24T10:15:00Z']],
  ['0 0 12 1/5 * ?', '0 0 12 1-31/5 * * *', ['2026-03-01T12:00:00Z', '2026-03-06T12:00:00Z', '2026-03-11T12:00:00Z']],
  ['0 0 12 ? * 2#1', '0 0 12 * * 1#1 *', ['2026-03-02T12:00:00Z', '2026-04-06T12:00:00Z']],
  ['0 0 12 * * ?', '0 0 12 * * * *', ['2026-03-01T12:00:00Z']],
  ['0 15 10 ? * *', '0 15 10 * * * *', ['2026-03-01T10:15:00Z']],
  ['0 15 10 * * ? 2027', '0 15 10 * * * 2027', ['2027-01-01T10:15:00Z']],
  ['0 * 14 * * ?', '0 * 14 * * * *', ['2026-03-01T14:00:00Z', '2026-03-01T14:01:00Z']],
  ['0 0/5 14 * * ?', '0 0-59/5 14 * * * *', ['2026-03-01T14:00:00Z', '2026-03-01T14:05:00Z']],
  ['0 0/5 14,18 * * ?', '0 0-59/5 14,18 * * * *', ['2026-03-01T14:00:00Z']],
  ['0 0-5 14 * * ?', '0 0-5 14 * * * *', ['2026-03-01T14:00:00Z', '2026-03-01T14:01:00Z']],
  ['0 10,44 14 ? 3 WED', '0 10,44 14 * 3 3 *', ['2026-03-04T14:10:00Z', '2026-03-04T14:44:00Z']],
  ['0 15 10 ? * MON-FRI', '0 15 10 * * 1-5 *', ['2026-03-02T10:15:00Z', '2026-03-03T10:15:00Z']],
  ['0 15 10 15 * ?', '0 15 10 15 * * *', ['2026-03-15T10:15:00Z', '2026-04-15T10:15:00Z']],
  ['0 15 10 L * ?', '0 15 10 L * * *', ['2026-03-31T10:15:00Z', '2026-04-30T10:15:00Z']],
  ['0 15 10 LW * ?', '0 15 10 LW * * *', ['2026-03-31T10:15:00Z', '2026-04-30T10:15:00Z', '2026-05-29T10:15:00Z']],
  ['0 15 10 15W * ?', '0 15 10 15W * * *', ['2026-03-16T10:15:00Z', '2026-04-15T10:15:00Z']],
  ['0 15 10 ? * 6#3', '0 15 10 * * 5#3 *', ['2026-03-20T10:15:00Z', '2026-04-17T10:15:00Z']],
  ['0 15 10 ? * 1', '0 15 10 * * 0 *', ['2026-03-01T10:15:00Z', '2026-03-08T10:15:00Z']],
  ['0 15 10 ? * 7', '0 15 10 * * 6 *', ['2026-03-07T10:15:00Z']],
  ['0 15 10 ? * L', '0 15 10 * * 6 *', ['2026-03-07T10:15:00Z']],
  ['0 15 10 ? * 2/2', '0 15 10 * * 1-6/2 *', ['2026-03-02T10:15:00Z', '2026-03-04T10:15:00Z', '2026-03-06T10:15:00Z', '2026-03-09T10:15:00Z']],
  ['0 0 12 ? JAN,MAR *', '0 0 12 * 1,3 * *', ['2026-03-01T12:00:00Z']],
  ['0 0 12 1 1/3 ?', '0 0 12 1 1-12/3 * *', ['2026-04-01T12:00:00Z', '2026-07-01T12:00:00Z']],
  ['0 0 0 1 1 ? 2026/2', '0 0 0 1 1 * 2026-2099/2', ['2028-01-01T00:00:00Z', '2030-01-01T00:00:00Z']],
  ['*/10 * * * * ?', '*/10 * * * * * *', ['2026-03-01T00:00:10Z', '2026-03-01T00:00:20Z']],
  ['0 0 23 * * ? *', '0 0 23 * * * *', ['2026-03-01T23:00:00Z']],
  // Unix cron: 5 fields, day-of-week 0=SUN (7 too), minute precision
  ['*/15 * * * *', '0 */15 * * * * *', ['2026-03-01T00:15:00Z', '2026-03-01T00:30:00Z']],
  ['0 23 * * *', '0 0 23 * * * *', ['2026-03-01T23:00:00Z']],
  ['30 8 * * 1-5', '0 30 8 * * 1-5 *', ['2026-03-02T08:30:00Z']],
  ['0 0 * * 0', '0 0 0 * * 0 *', ['2026-03-08T00:00:00Z']],
  ['0 0 * * 7', '0 0 0 * * 7 *', ['2026-03-08T00:00:00Z']],
  ['0 12 1/5 * *', '0 0 12 1-31/5 * * *', ['2026-03-01T12:00:00Z', '2026-03-06T12:00:00Z']],
  ['@hourly', '0 0 * * * * *', ['2026-03-01T01:00:00Z']],
];

describe('Quartz and Unix expressions translate to croner', () => {
  it.each(TABLE)('%s → %s', (expression, croner, firstFires) => {
    expect(toCronerPattern(expression).pattern).toBe(croner);
    const times = new FireTimes(expression, 'UTC').upcoming(new Date('2026-03-01T00:00:00Z'), firstFires.length);
    expect(times.map((t) => t.toISOString())).toEqual(firstFires.map((t) => new Date(t).toISOString()));
  });

  it('tells the form apart by field count', () => {
    expect(toCronerPattern('0 0 23 * * ?').form).toBe('quartz');
    expect(toCronerPattern('0 23 * * *').form).toBe('unix');
  });
});

describe('invalid expressions are refused with the reason', () => {
  it.each([
    ['0 0 23 * *  * ? x', /6–7 fields/],
    ['0 0', /expected 5 fields/],
    ['0 0 25 * * ?', /hour: 25 is outside 0–23/],
    ['0 0 12 15 * MON', /not both/],
    ['0 0 12 ? * 8', /day-of-week: 8 is outside 1–7/],
    ['0 0 12 ? * 0', /day-of-week: 0 is outside 1–7/],
    ['? 0 12 * * ?', /'\?' is only allowed in day-of-month and day-of-week/],
    ['0 0 12 ? * 2#6', /occurrence after '#' must be 1–5/],
    ['0 0 12 L-3 * ?', /not supported/],
    ['0 0 12 ? FOO *', /month: "FOO" is not a number or a name/],
    ['0 0 12-8 * * ?', /runs backwards/],
    ['0 0/0 12 * * ?', /step 0 is out of range/],
    ['0 0 12 * * ? 1800', /year: 1800 is outside 1970–2099/],
    ['0 12 * * L', /Quartz syntax/],
  ])('%s', (expression, reason) => {
    const attempt = () => new FireTimes(expression, 'UTC');
    expect(attempt).toThrow(ScheduleExpressionInvalid);
    expect(attempt).toThrow(reason);
  });
});

describe('DST: no double fire in the repeated hour, no silent skip in the missing one', () => {
  const fires = (expression: string, zone: string, from: string, count: number) =>
    new FireTimes(expression, zone).upcoming(new Date(from), count).map((t) => t.toISOString());

  it('Europe/Berlin spring forward: 02:30 does not exist on 29 March and fires at 03:00 CEST', () => {
    expect(fires('0 30 2 * * ?', 'Europe/Berlin', '2026-03-28T00:00:00Z', 3)).toEqual([
      '2026-03-28T01:30:00.000Z', // 02:30 CET
      '2026-03-29T01:00:00.000Z', // 03:00 CEST, the first valid time after the gap
      '2026-03-30T00:30:00.000Z', // 02:30 CEST
    ]);
  });

  it('Europe/Berlin fall back: 02:30 happens twice on 25 October and fires once, at the first', () => {
    expect(fires('0 30 2 * * ?', 'Europe/Berlin', '2026-10-24T00:00:00Z', 3)).toEqual([
      '2026-10-24T00:30:00.000Z',
      '2026-10-25T00:30:00.000Z', // 02:30 CEST; 02:30 CET an hour later does not fire
      '2026-10-26T01:30:00.000Z',
    ]);
  });

  it('America/New_York spring forward: 02:15 does not exist on 8 March and fires at 03:00 EDT', () => {
    expect(fires('0 15 2 * * ?', 'America/New_York', '2026-03-07T00:00:00Z', 3)).toEqual([
      '2026-03-07T07:15:00.000Z', // 02:15 EST
      '2026-03-08T07:00:00.000Z', // 03:00 EDT
      '2026-03-09T06:15:00.000Z', // 02:15 EDT
    ]);
  });

  it('America/New_York fall back: 01:30 happens twice on 1 November and fires once', () => {
    expect(fires('0 30 1 * * ?', 'America/New_York', '2026-10-31T00:00:00Z', 3)).toEqual([
      '2026-10-31T05:30:00.000Z',
      '2026-11-01T05:30:00.000Z', // 01:30 EDT; 01:30 EST does not fire
      '2026-11-02T06:30:00.000Z',
    ]);
  });

  it('an interval schedule keeps elapsed time through both transitions (Unix cron, New York)', () => {
    expect(fires('*/30 * * * *', 'America/New_York', '2026-11-01T05:00:00Z', 5)).toEqual([
      '2026-11-01T05:30:00.000Z', // 01:30 EDT
      '2026-11-01T06:00:00.000Z', // 01:00 EST: the repeated hour runs again, it is real time
      '2026-11-01T06:30:00.000Z',
      '2026-11-01T07:00:00.000Z',
      '2026-11-01T07:30:00.000Z',
    ]);
    expect(fires('*/30 * * * *', 'America/New_York', '2026-03-08T06:00:00Z', 3)).toEqual([
      '2026-03-08T06:30:00.000Z', // 01:30 EST
      '2026-03-08T07:00:00.000Z', // 03:00 EDT: 30 minutes later, nothing of the gap is owed
      '2026-03-08T07:30:00.000Z',
    ]);
  });

  it('walking from a DST-shifted fire time keeps it', () => {
    const times = new FireTimes('0 30 2 * * ?', 'Europe/Berlin');
    const walked = times.walk(new Date('2026-03-29T01:00:00Z'), new Date('2026-03-31T00:00:00Z'), 10);
    expect(walked.map((t) => t.toISOString())).toEqual(['2026-03-29T01:00:00.000Z', '2026-03-30T00:30:00.000Z']);
    expect(times.latest(new Date('2026-03-30T00:30:00Z'), 2).map((t) => t.toISOString())).toEqual([
      '2026-03-29T01:00:00.000Z',
      '2026-03-30T00:30:00.000Z',
    ]);
  });
});
