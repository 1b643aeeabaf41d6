import { z } from 'zod';
import { isTimeZone } from '../config.ts';
import { MAX_WEBHOOKS, NotifySpecSchema, SlaSpecSchema } from '../core/notifySpec.ts';
import { ValidationFailed } from '../errors.ts';
import { FireTimes } from './fireTimes.ts';

/** What a firing does when the schedule's previous run is still going. */
export const OverlapPolicy = {
  /** start another run beside it */
  ALLOW: 'allow',
  /** record SKIPPED_OVERLAP and start nothing */
  SKIP: 'skip',
  /** record QUEUED; the run starts when the previous one ends (oldest first) */
  QUEUE: 'queue',
  /** cancel the previous run, then start */
  CANCEL_PREVIOUS: 'cancel_previous',
} as const;
export type OverlapPolicy = (typeof OverlapPolicy)[keyof typeof OverlapPolicy];

/** What happens to fire times that passed while no scheduler was running (older than the misfire threshold). */
export const MisfirePolicy = {
  /** record them MISSED */
  SKIP: 'skip',
  /** run the latest one now (CATCHUP), record the rest MISSED */
  FIRE_ONCE: 'fire_once',
  /** run the latest `catchUpMax` now (CATCHUP), record the rest MISSED */
  CATCH_UP: 'catch_up',
} as const;
export type MisfirePolicy = (typeof MisfirePolicy)[keyof typeof MisfirePolicy];

/** A ledger row's outcome. QUEUED becomes FIRED when its run starts; BACKFILL is a past fire time run by an operator's backfill. */
export const FiringOutcome = {
  FIRED: 'FIRED',
  CATCHUP: 'CATCHUP',
  SKIPPED_OVERLAP: 'SKIPPED_OVERLAP',
  MISSED: 'MISSED',
  QUEUED: 'QUEUED',
  BACKFILL: 'BACKFILL',
} as const;
export type FiringOutcome = (typeof FiringOutcome)[keyof typeof FiringOutcome];

const values = <T extends Record<string, string>>(o: T) => Object.values(o) as [T[keyof T], ...T[keyof T][]];

/**
 * A schedule as a definition declares it: in a code-defined workflow's
 * `schedules` option, or in the `schedules` array of a definition's JSON.
 */
export const ScheduleSpecSchema = z
  .object({
    name: z
      .string()
      .regex(/^[A-Za-z_][A-Za-z0-9_-]{0,63}$/, 'schedule names are letters, digits, _ and -, starting with a letter or _')
      .default('default'),
    expression: z
      .string()
      .min(1)
      .max(200)
      .describe('Quartz (6–7 fields, day-of-week 1=SUN, e.g. "0 0 23 * * ?") or Unix cron (5 fields, e.g. "0 23 * * *")'),
    timeZone: z.string().refine(isTimeZone, 'not an IANA time zone name').optional().describe("IANA zone; default: the installation's display zone"),
    overlap: z.enum(values(OverlapPolicy)).default(OverlapPolicy.SKIP),
    misfire: z.enum(values(MisfirePolicy)).default(MisfirePolicy.FIRE_ONCE),
    catchUpMax: z.number().int().min(1).max(1000).default(10).describe('with misfire catch_up: how many missed fire times to run'),
    paused: z.boolean().default(false).describe('the state a new schedule starts in; later changed with pause/resume only'),
    input: z.record(z.string(), z.unknown()).default({}).describe("each scheduled run's input"),
    notify: z.array(NotifySpecSchema).max(MAX_WEBHOOKS).optional().describe("webhooks told of this schedule's runs (besides the definition's)"),
    sla: SlaSpecSchema.optional().describe("how long this schedule's runs may take (instead of the definition's)"),
  })
  .strict();

/** A validated schedule of a definition: expression, zone, input, overlap and misfire policies. */
export type ScheduleSpec = z.output<typeof ScheduleSpecSchema>;
/** A schedule as written in a definition, defaults not yet applied. */
export type ScheduleSpecInput = z.input<typeof ScheduleSpecSchema>;

/**
 * What zod cannot say about a definition's schedules: each expression must
 * evaluate (ScheduleExpressionInvalid names the field and why) and names are
 * unique within the definition.
 */
export function checkSchedules(schedules: readonly ScheduleSpec[] | undefined): void {
  const names = new Set<string>();
  for (const schedule of schedules ?? []) {
    new FireTimes(schedule.expression, schedule.timeZone ?? 'UTC');
    if (names.has(schedule.name)) throw new ValidationFailed(`schedules: the name ${JSON.stringify(schedule.name)} is used twice`);
    names.add(schedule.name);
  }
}
