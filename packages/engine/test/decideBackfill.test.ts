import { describe, expect, it } from 'vitest';
import { decideBackfill, type BackfillState } from '../src/scheduler/decideBackfill.ts';
import { FireTimes } from '../src/scheduler/fireTimes.ts';

const HOURLY = new FireTimes('0 0 * * * ?', 'UTC');
const T0 = new Date('2026-03-01T00:00:00Z');
const hour = (n: number) => new Date(T0.getTime() + n * 3_600_000);
const hours = (from: number, to: number) => Array.from({ length: to - from }, (_, i) => hour(from + i));

function state(overrides: Partial<BackfillState> = {}): BackfillState {
  return { to: hour(72), schedulerFrom: undefined, room: 100, taken: new Set(), ...overrides };
}

describe('a backfill batch', () => {
  it('runs every fire time of its window while there is room, and carries on after it', () => {
    const decision = decideBackfill(state(), hours(0, 10), hour(10));
    expect(decision).toEqual({ fire: hours(0, 10), skipped: 0, cursor: hour(10), done: false });
  });

  it('passes over the fire times the ledger already has, whatever their outcome', () => {
    const taken = new Set([hour(1).getTime(), hour(2).getTime()]);
    const decision = decideBackfill(state({ taken }), hours(0, 4), hour(4));
    expect(decision.fire).toEqual([hour(0), hour(3)]);
    expect(decision.skipped).toBe(2);
  });

  it('stops where its room runs out: the next batch starts at the first fire time it could not run', () => {
    const decision = decideBackfill(state({ room: 3 }), hours(0, 10), hour(10));
    expect(decision).toEqual({ fire: hours(0, 3), skipped: 0, cursor: hour(3), done: false });
    expect(decideBackfill(state({ room: 0 }), hours(3, 10), hour(10))).toEqual({ fire: [], skipped: 0, cursor: hour(3), done: false });
  });

  it('passes over taken fire times even without room, so a range already run finishes at once', () => {
    const taken = new Set(hours(0, 5).map((t) => t.getTime()));
    expect(decideBackfill(state({ room: 0, taken, to: hour(5) }), hours(0, 5), hour(5))).toEqual({ fire: [], skipped: 5, cursor: undefined, done: true });
  });

  it('is done at the end of its range (exclusive)', () => {
    expect(decideBackfill(state({ to: hour(3) }), hours(0, 4), hour(4))).toEqual({ fire: hours(0, 3), skipped: 0, cursor: undefined, done: true });
    expect(decideBackfill(state({ to: hour(3) }), hours(0, 3), hour(3))).toEqual({ fire: hours(0, 3), skipped: 0, cursor: undefined, done: true });
  });

  it('never writes a fire time the live scheduler is yet to decide: it stops at the schedule cursor', () => {
    const decision = decideBackfill(state({ schedulerFrom: hour(2) }), hours(0, 5), hour(5));
    expect(decision).toEqual({ fire: hours(0, 2), skipped: 0, cursor: undefined, done: true });
  });

  it('is done when the expression fires no more', () => {
    expect(decideBackfill(state(), hours(0, 2), undefined)).toEqual({ fire: hours(0, 2), skipped: 0, cursor: undefined, done: true });
  });

  it('walks the fire times a schedule really has: an hourly schedule over three days is 72 of them', () => {
    const window = HOURLY.walk(T0, new Date(hour(72).getTime() - 1), 500);
    expect(window).toHaveLength(72);
    expect(decideBackfill(state(), window, HOURLY.next(window.at(-1)!)).fire).toHaveLength(72);
  });
});
