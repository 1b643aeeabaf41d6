import { newUuid, uuidToShortId } from '../core/ids.ts';
import { BackfillNotFound, InvalidTransition, ValidationFailed } from '../errors.ts';
import type { EngineResources } from '../runtime/engineResources.ts';
import { newLeaseOwner } from '../runtime/leaseOwner.ts';
import type { PendingStart, StartSystem } from '../runtime/systems/startSystem.ts';
import { TriggerType } from '../runtime/systems/startSystem.ts';
import { toRunUuid } from '../runtime/systems/historySystem.ts';
import { BACKFILL_BATCH, DEFAULT_BACKFILL_CONCURRENCY, MAX_BACKFILL_FIRE_TIMES, decideBackfill } from '../scheduler/decideBackfill.ts';
import { FiringOutcome } from '../scheduler/scheduleSpec.ts';
import { advanceBackfill } from '../storage/advanceBackfill.ts';
import { countLiveBackfillRuns } from '../storage/countLiveBackfillRuns.ts';
import { inTransaction } from '../storage/database.ts';
import { insertBackfill } from '../storage/insertBackfill.ts';
import { insertFirings } from '../storage/insertFirings.ts';
import { listBackfills } from '../storage/listBackfills.ts';
import { listFiringTimes } from '../storage/listFiringTimes.ts';
import { lockNextBackfill } from '../storage/lockNextBackfill.ts';
import { readBackfill } from '../storage/readBackfill.ts';
import { stopBackfill } from '../storage/stopBackfill.ts';
import type { BackfillRecord, BackfillRequest } from './backfill.ts';

/** One millisecond: the range's end is exclusive, the fire-time walk inclusive. */
const JUST_BEFORE = 1;

/**
 * Backfills: a schedule's missed past, run now. A request is a row (the
 * range, a cursor, counts); the work is done in batches by `workBatch`, which
 * any process's backfill loop calls. Each batch is one transaction holding
 * the backfill's row and its schedule's row (SKIP LOCKED): it reads which
 * fire times of its window the ledger already has, asks the pure
 * `decideBackfill` which to run, starts their runs and writes their ledger
 * rows (outcome BACKFILL) together, and moves the cursor. The ledger's
 * UNIQUE(schedule_id, fire_time) is what keeps a fire time from running twice:
 * a backfill of a range already backfilled adds nothing, and a fire time the
 * live scheduler has yet to decide is left to it.
 */
export class Backfills {
  /** this process's name in the ledger rows its backfills write */
  private readonly replica = newLeaseOwner('backfill');

  constructor(
    private readonly resources: EngineResources,
    private readonly starts: StartSystem,
  ) {}

  /** Records a backfill of a schedule of the org; the loops work it off. Refuses a range that is empty, in the future or too long. */
  async request(request: BackfillRequest): Promise<BackfillRecord> {
    const { db, now, schedules } = this.resources;
    const schedule = await schedules.get(request.scheduleId, request.orgId);
    const maxConcurrent = request.maxConcurrent ?? DEFAULT_BACKFILL_CONCURRENCY;
    if (!(request.from.getTime() < request.to.getTime())) throw new ValidationFailed('from: must be before to');
    if (request.to.getTime() > now().getTime()) throw new ValidationFailed('to: must not be in the future; the scheduler fires what is to come');
    const fireTimes = schedules.fireTimes(schedule.expression, schedule.timeZone);
    const first = fireTimes.next(new Date(request.from.getTime() - JUST_BEFORE));
    const end = new Date(request.to.getTime() - JUST_BEFORE);
    const total = first === undefined ? 0 : fireTimes.walk(first, end, MAX_BACKFILL_FIRE_TIMES + 1).length;
    if (total > MAX_BACKFILL_FIRE_TIMES) {
      throw new ValidationFailed(`the range holds more than ${MAX_BACKFILL_FIRE_TIMES} fire times of ${schedule.expression}; backfill it in parts`);
    }
    const id = newUuid();
    await insertBackfill(db.pool, {
      id,
      scheduleId: schedule.id,
      orgId: request.orgId,
      from: request.from,
      to: request.to,
      maxConcurrent,
      total,
      cursor: total === 0 ? null : first!,
      requestedBy: request.requestedBy,
      createdAt: now(),
    });
    return this.get(id, request.orgId);
  }

  /** One of an org's backfills, as its last batch left it. */
  async get(id: string, orgId: string): Promise<BackfillRecord> {
    const uuid = toRunUuid(id);
    const found = uuid && (await readBackfill(this.resources.db.pool, orgId, uuid));
    if (!found) throw new BackfillNotFound(id);
    return viewed(found);
  }

  /** A schedule's latest backfills, newest first. */
  async list(scheduleId: string, orgId: string, limit: number): Promise<BackfillRecord[]> {
    const schedule = await this.resources.schedules.get(scheduleId, orgId);
    return (await listBackfills(this.resources.db.pool, schedule.id, limit)).map(viewed);
  }

  /** Stops a running backfill after its batch in progress; refused when it is not running. */
  async stop(id: string, orgId: string): Promise<BackfillRecord> {
    const uuid = toRunUuid(id);
    const stopped = uuid !== undefined && (await stopBackfill(this.resources.db.pool, orgId, uuid, this.resources.now()));
    const found = await this.get(id, orgId);
    if (!stopped) throw new InvalidTransition('cancel', found.status, `backfill ${found.id} is ${found.status}, not RUNNING`);
    return found;
  }

  /**
   * One batch of the running backfill least recently advanced that no other
   * process (and no scheduler deciding its schedule) holds. True when it moved
   * on — started runs, passed fire times over, or finished — so the loop asks
   * again at once; false when there was none, or it waits for its runs.
   */
  async workBatch(): Promise<boolean> {
    const { db, now, schedules, metrics } = this.resources;
    const batch = await inTransaction(db, async (client) => {
      const backfill = await lockNextBackfill(client);
      if (!backfill) return undefined;
      const at = now();
      if (backfill.definitionDeleted || backfill.cursor === null) {
        await stopBackfill(client, backfill.orgId, backfill.id, at);
        return { starts: [], moved: true };
      }
      const fireTimes = schedules.fireTimes(backfill.expression, backfill.timeZone);
      const window = fireTimes.walk(backfill.cursor, new Date(backfill.to.getTime() - JUST_BEFORE), BACKFILL_BATCH);
      const taken = window.length === 0 ? new Set<number>() : await listFiringTimes(client, backfill.scheduleId, window[0]!, window.at(-1)!);
      const live = await countLiveBackfillRuns(client, backfill.scheduleId, backfill.from, backfill.to);
      const decision = decideBackfill(
        {
          to: backfill.to,
          schedulerFrom: backfill.paused ? undefined : (backfill.nextFireTime ?? undefined),
          room: Math.max(0, backfill.maxConcurrent - live),
          taken,
        },
        window,
        window.length === 0 ? undefined : fireTimes.next(window.at(-1)!),
      );
      const starts: PendingStart[] = [];
      for (const fireTime of decision.fire) {
        starts.push(
          await this.starts.startRunInTransaction(client, {
            workflow: backfill.workflow,
            orgId: backfill.orgId,
            owner: `backfill:${backfill.scheduleName}`,
            input: backfill.input,
            triggerType: TriggerType.PERIODIC,
            triggerTime: fireTime,
          }),
        );
      }
      await insertFirings(
        client,
        backfill.scheduleId,
        decision.fire.map((fireTime, i) => ({ fireTime, outcome: FiringOutcome.BACKFILL, runId: starts[i]!.id })),
        at,
        this.replica,
      );
      // A batch that moved nothing still touches the row: the least recently advanced goes first, so one waiting backfill does not starve another.
      await advanceBackfill(client, { id: backfill.id, started: starts.length, skipped: decision.skipped, cursor: decision.cursor, done: decision.done, now: at });
      return { starts, moved: starts.length > 0 || decision.skipped > 0 || decision.done };
    });
    if (!batch) return false;
    await this.starts.afterStartCommitted(batch.starts);
    if (batch.starts.length > 0) metrics.scheduleFirings.inc({ outcome: FiringOutcome.BACKFILL }, batch.starts.length);
    return batch.moved;
  }
}

/** A backfill as callers see it: its id in the 22-char form every surface shows. */
function viewed(record: BackfillRecord): BackfillRecord {
  return { ...record, id: uuidToShortId(record.id) };
}
