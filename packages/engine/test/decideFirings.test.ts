import { describe, expect, it } from 'vitest';
import { MAX_FIRE_TIMES_PER_DECISION, MAX_QUEUED_FIRINGS, decideFirings, type ScheduleState } from '../src/scheduler/decideFirings.ts';
import { FireTimes } from '../src/scheduler/fireTimes.ts';

const EVERY_MINUTE = new FireTimes('0 * * * * ?', 'UTC');
const T0 = new Date('2026-06-01T10:00:00Z');
const at = (minutes: number, seconds = 0) => new Date(T0.getTime() + minutes * 60_000 + seconds * 1000);

function state(overrides: Partial<ScheduleState> = {}): ScheduleState {
  return {
    overlap: 'allow',
    misfire: 'skip',
    catchUpMax: 5,
    nextFireTime: at(1),
    lastRunId: undefined,
    lastRunLive: false,
    queuedCount: 0,
    oldestQueuedId: undefined,
    ...overrides,
  };
}

/** The RECORD outcomes, in order, as compact text. */
const outcomes = (s: ScheduleState, now: Date) =>
  decideFirings(s, EVERY_MINUTE, now).flatMap((c) => (c.type === 'RECORD' ? [c.outcome] : c.type === 'CANCEL_RUN' ? [`CANCEL ${c.runId}`] : []));

describe('a due fire time', () => {
  it('is not decided before it comes', () => {
    expect(decideFirings(state(), EVERY_MINUTE, at(0, 59))).toEqual([]);
  });

  it('fires on time and moves the cursor to the next one', () => {
    expect(decideFirings(state(), EVERY_MINUTE, at(1, 0))).toEqual([
      { type: 'RECORD', fireTime: at(1), outcome: 'FIRED' },
      { type: 'ADVANCE', to: at(2) },
    ]);
  });

  it('is still on time up to the misfire threshold (60 s) late', () => {
    expect(outcomes(state(), at(2, 0))).toEqual(['FIRED', 'FIRED']);
  });
});

describe('misfire policies after a 1-hour outage', () => {
  // 60 fire times (10:01 … 11:00) are more than 60 s old at 11:01:30; 11:01 is on time.
  const now = at(61, 30);

  it('skip records every late fire time MISSED and fires the on-time one', () => {
    const got = outcomes(state({ misfire: 'skip' }), now);
    expect(got).toEqual([...Array<string>(60).fill('MISSED'), 'FIRED']);
  });

  it('fire_once runs the latest late fire time as CATCHUP', () => {
    const got = outcomes(state({ misfire: 'fire_once' }), now);
    expect(got).toEqual([...Array<string>(59).fill('MISSED'), 'CATCHUP', 'FIRED']);
  });

  it('catch_up runs the latest catchUpMax late fire times as CATCHUP', () => {
    const got = outcomes(state({ misfire: 'catch_up', catchUpMax: 5 }), now);
    expect(got).toEqual([...Array<string>(55).fill('MISSED'), ...Array<string>(5).fill('CATCHUP'), 'FIRED']);
  });

  it('a backlog longer than one decision is worked off over several', () => {
    const commands = decideFirings(state({ misfire: 'skip' }), EVERY_MINUTE, at(10_000));
    expect(commands.filter((c) => c.type === 'RECORD')).toHaveLength(MAX_FIRE_TIMES_PER_DECISION);
    expect(commands.at(-1)).toEqual({ type: 'ADVANCE', to: at(MAX_FIRE_TIMES_PER_DECISION + 1) });
  });
});

describe('overlap policies while the previous run is live', () => {
  const live = { lastRunLive: true, lastRunId: 'previous' };

  it('allow fires beside it', () => {
    expect(outcomes(state({ overlap: 'allow', ...live }), at(2))).toEqual(['FIRED', 'FIRED']);
  });

  it('skip records SKIPPED_OVERLAP', () => {
    expect(outcomes(state({ overlap: 'skip', ...live }), at(1))).toEqual(['SKIPPED_OVERLAP']);
  });

  it('skip fires once and skips the rest of the same decision, which would overlap the first', () => {
    expect(outcomes(state({ overlap: 'skip' }), at(2))).toEqual(['FIRED', 'SKIPPED_OVERLAP']);
  });

  it('queue records QUEUED, up to its bound', () => {
    expect(outcomes(state({ overlap: 'queue', ...live }), at(2))).toEqual(['QUEUED', 'QUEUED']);
    expect(outcomes(state({ overlap: 'queue', ...live, queuedCount: MAX_QUEUED_FIRINGS }), at(1))).toEqual(['SKIPPED_OVERLAP']);
  });

  it('queue starts the oldest queued firing once the previous run has ended', () => {
    const commands = decideFirings(state({ overlap: 'queue', queuedCount: 2, oldestQueuedId: 7, nextFireTime: at(5) }), EVERY_MINUTE, at(1));
    expect(commands).toEqual([{ type: 'START_QUEUED', firingId: 7 }]);
  });

  it('cancel_previous cancels the live run, then fires', () => {
    expect(outcomes(state({ overlap: 'cancel_previous', ...live }), at(1))).toEqual(['CANCEL previous', 'FIRED']);
  });

  it('cancel_previous runs only the latest of several due fire times', () => {
    expect(outcomes(state({ overlap: 'cancel_previous', ...live }), at(2))).toEqual(['SKIPPED_OVERLAP', 'CANCEL previous', 'FIRED']);
  });
});

describe('an expression that fires no more', () => {
  it('leaves the cursor empty', () => {
    const once = new FireTimes('0 0 12 1 6 ? 2026', 'UTC');
    const commands = decideFirings(state({ nextFireTime: new Date('2026-06-01T12:00:00Z') }), once, new Date('2026-06-01T12:00:01Z'));
    expect(commands.at(-1)).toEqual({ type: 'ADVANCE', to: undefined });
  });
});
