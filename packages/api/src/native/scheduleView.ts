import { FiringOutcome, toCronerPattern, uuidToShortId, type FiringRecord, type ScheduleDetail, type ScheduleRecord } from '@flowline/engine';
import { z } from 'zod';
import { formatDateTime, formatOffset, zonedTime } from '../dialects/zonedTime.ts';

/** The native API's JSON shape of a schedule; instants are ISO 8601 UTC. */
export const ScheduleViewSchema = z.object({
  id: z.number().int(),
  workflow: z.string(),
  name: z.string(),
  expression: z.string(),
  form: z.enum(['quartz', 'unix']).describe('Quartz: 6–7 fields, day-of-week 1=SUN; Unix cron: 5 fields'),
  timeZone: z.string().describe('IANA zone the expression is read in'),
  overlap: z.string().describe('allow | skip | queue | cancel_previous'),
  misfire: z.string().describe('skip | fire_once | catch_up'),
  catchUpMax: z.number().int(),
  input: z.unknown(),
  paused: z.boolean(),
  nextFireTime: z.string().nullable().describe('the first fire time not yet decided; null when the expression fires no more'),
  lastRunId: z.string().nullable(),
  createdAt: z.string(),
  updatedAt: z.string(),
});

export const ScheduleDetailSchema = ScheduleViewSchema.extend({
  firingCounts: z.record(z.string(), z.number().int()).describe('ledger rows per outcome: FIRED, CATCHUP, SKIPPED_OVERLAP, MISSED, QUEUED, BACKFILL'),
});

export const FiringViewSchema = z.object({
  fireTime: z.string(),
  outcome: z.string().describe('FIRED, CATCHUP, SKIPPED_OVERLAP, MISSED, QUEUED until the previous run ends, or BACKFILL (run by a backfill)'),
  runId: z.string().nullable(),
  decidedAt: z.string(),
  delayMs: z.number().int().describe('decidedAt − fireTime'),
  replica: z.string().describe('the scheduler replica that decided it'),
});

export const FireTimeViewSchema = z.object({
  at: z.string().describe('ISO 8601 UTC'),
  local: z.string().describe("the same instant on the schedule zone's wall clock, with its offset"),
});

const iso = (d: Date | null) => (d ? d.toISOString() : null);

export function toScheduleView(s: ScheduleRecord): z.infer<typeof ScheduleViewSchema> {
  return {
    id: s.id,
    workflow: s.workflow,
    name: s.name,
    expression: s.expression,
    form: toCronerPattern(s.expression).form,
    timeZone: s.timeZone,
    overlap: s.overlapPolicy,
    misfire: s.misfirePolicy,
    catchUpMax: s.catchUpMax,
    input: s.input,
    paused: s.paused,
    nextFireTime: iso(s.nextFireTime),
    lastRunId: s.lastRunId === null ? null : uuidToShortId(s.lastRunId),
    createdAt: s.createdAt.toISOString(),
    updatedAt: s.updatedAt.toISOString(),
  };
}

export function toScheduleDetail(s: ScheduleDetail): z.infer<typeof ScheduleDetailSchema> {
  const zeros = Object.fromEntries(Object.values(FiringOutcome).map((o) => [o, 0]));
  return { ...toScheduleView(s), firingCounts: { ...zeros, ...s.firingCounts } };
}

export function toFiringView(f: FiringRecord): z.infer<typeof FiringViewSchema> {
  return {
    fireTime: f.fireTime.toISOString(),
    outcome: f.outcome,
    runId: f.runId === null ? null : uuidToShortId(f.runId),
    decidedAt: f.decidedAt.toISOString(),
    delayMs: f.decidedAt.getTime() - f.fireTime.getTime(),
    replica: f.replica,
  };
}

export function toFireTimeView(at: Date, timeZone: string): z.infer<typeof FireTimeViewSchema> {
  const local = zonedTime(at, timeZone);
  return { at: at.toISOString(), local: `${formatDateTime(local, 'T')}${formatOffset(local.offsetMinutes)}` };
}
