import { ScheduleNotFound } from '../errors.ts';
import type { Database } from '../storage/database.ts';
import type { DefinitionVersionRecord } from '../storage/definitionStore.ts';
import { listFirings, type FiringRecord } from '../storage/listFirings.ts';
import { countFirings, listSchedules, readSchedule, type ScheduleRecord } from '../storage/readSchedules.ts';
import { setSchedulePaused } from '../storage/setSchedulePaused.ts';
import { syncSchedules } from '../storage/syncSchedules.ts';
import { FireTimes } from './fireTimes.ts';

/** A schedule with its ledger's count per outcome. */
export interface ScheduleDetail extends ScheduleRecord {
  readonly firingCounts: Readonly<Record<string, number>>;
}

/** Largest preview. */
export const MAX_PREVIEW = 100;

/**
 * The schedules of definitions: kept in step with the specs that declare
 * them, read, previewed, paused and resumed. Firing them is the
 * SchedulerLoop's work.
 */
export class ScheduleCatalog {
  private readonly compiled = new Map<string, FireTimes>();

  constructor(
    private readonly db: Database,
    private readonly now: () => Date,
    /** the zone of schedules that name none (the installation's display zone) */
    readonly defaultTimeZone: string,
  ) {}

  /** An expression's fire times in a zone; compiled once per process. */
  fireTimes(expression: string, timeZone: string): FireTimes {
    const key = `${timeZone} ${expression}`;
    let found = this.compiled.get(key);
    if (!found) {
      found = new FireTimes(expression, timeZone);
      this.compiled.set(key, found);
    }
    return found;
  }

  /** Makes the definition's schedule rows match its spec (called whenever a spec is stored). */
  async sync(definition: DefinitionVersionRecord): Promise<void> {
    const now = this.now();
    const rows = (definition.spec.schedules ?? []).map((s) => {
      const timeZone = s.timeZone ?? this.defaultTimeZone;
      return {
        name: s.name,
        expression: s.expression,
        timeZone,
        overlapPolicy: s.overlap,
        misfirePolicy: s.misfire,
        catchUpMax: s.catchUpMax,
        input: s.input,
        paused: s.paused,
        nextFireTime: this.fireTimes(s.expression, timeZone).next(now),
      };
    });
    await syncSchedules(this.db.pool, definition, rows, now);
  }

  list(orgId: string, workflow?: string): Promise<ScheduleRecord[]> {
    return listSchedules(this.db.pool, orgId, workflow);
  }

  async get(id: string, orgId: string): Promise<ScheduleDetail> {
    const schedule = await this.find(id, orgId);
    return { ...schedule, firingCounts: await countFirings(this.db.pool, schedule.id) };
  }

  /** The next `count` fire times after now, paused or not. */
  async preview(id: string, orgId: string, count: number): Promise<{ schedule: ScheduleRecord; fireTimes: Date[] }> {
    const schedule = await this.find(id, orgId);
    const fireTimes = this.fireTimes(schedule.expression, schedule.timeZone).upcoming(this.now(), Math.min(count, MAX_PREVIEW));
    return { schedule, fireTimes };
  }

  /** A page of the ledger, newest fire time first. */
  async firings(
    id: string,
    orgId: string,
    page: { limit: number; before?: Date },
  ): Promise<{ firings: FiringRecord[]; nextBefore: Date | undefined }> {
    const schedule = await this.find(id, orgId);
    return listFirings(this.db.pool, schedule.id, page);
  }

  pause(id: string, orgId: string): Promise<ScheduleDetail> {
    return this.setPaused(id, orgId, true);
  }

  /** Resumes from the next fire time after now: the paused time is not owed. */
  resume(id: string, orgId: string): Promise<ScheduleDetail> {
    return this.setPaused(id, orgId, false);
  }

  private async setPaused(id: string, orgId: string, paused: boolean): Promise<ScheduleDetail> {
    const schedule = await this.find(id, orgId);
    const now = this.now();
    const nextFireTime = this.fireTimes(schedule.expression, schedule.timeZone).next(now);
    if (!(await setSchedulePaused(this.db.pool, { id: schedule.id, orgId, paused, nextFireTime, now }))) throw new ScheduleNotFound(id);
    return this.get(id, orgId);
  }

  private async find(id: string, orgId: string): Promise<ScheduleRecord> {
    const schedule = /^\d{1,15}$/.test(id) ? await readSchedule(this.db.pool, orgId, Number(id)) : undefined;
    if (!schedule) throw new ScheduleNotFound(id);
    return schedule;
  }
}
