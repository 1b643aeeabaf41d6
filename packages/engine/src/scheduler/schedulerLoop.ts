import { uuidToShortId } from '../core/ids.ts';
import { FlowlineError } from '../errors.ts';
import { systemsOf, type Engine } from '../runtime/engine.ts';
import type { EngineSystems } from '../runtime/engineSystems.ts';
import { TriggerType, type PendingStart } from '../runtime/systems/startSystem.ts';
import { newLeaseOwner } from '../runtime/leaseOwner.ts';
import { advanceSchedule } from '../storage/advanceSchedule.ts';
import { claimSchedule, type ClaimedSchedule } from '../storage/claimSchedule.ts';
import { inTransaction } from '../storage/database.ts';
import { insertFirings, type FiringRow } from '../storage/insertFirings.ts';
import { nextFireTime } from '../storage/nextFireTime.ts';
import { isUniqueViolation } from '../storage/sqlState.ts';
import { startQueuedFiring } from '../storage/startQueuedFiring.ts';
import { decideFirings, startsRun, type ScheduleState } from './decideFirings.ts';
import { FiringOutcome, type MisfirePolicy, type OverlapPolicy } from './scheduleSpec.ts';

/** The scheduler loop's clock and how long it sleeps at most between looks. */
export interface SchedulerLoopOptions {
  /** the clock; default the engine's */
  readonly now?: () => Date;
  /** the longest sleep between looks, so new, resumed and queued schedules are seen without a fire time to wake for */
  readonly pollMs?: number;
}

/** Decisions one tick tries at most before it lets the loop look at the clock again. */
const MAX_DECISIONS_PER_TICK = 1000;

/** A decision lost to another replica or to a changed row; the whole transaction rolled back and it is decided again. */
class StaleFiringDecision extends Error {}

/**
 * The scheduler process role. Any number run against one database, with no
 * leader: each wakes at the next fire time, locks a due schedule another
 * replica does not hold (SKIP LOCKED), writes the ledger rows and starts the
 * runs in one transaction, and dispatches after commit. A replica that dies
 * mid-decision loses its lock with its connection and another decides.
 */
export class SchedulerLoop {
  /** this replica's name in the ledger */
  readonly replica = newLeaseOwner('scheduler');
  private readonly clock: () => Date;
  private readonly pollMs: number;
  private stopped = true;
  private wake: (() => void) | undefined;
  private running: Promise<void> | undefined;
  private readonly engine: Engine;
  private readonly systems: EngineSystems;

  constructor(engine: Engine, options: SchedulerLoopOptions = {}) {
    this.engine = engine;
    this.systems = systemsOf(engine);
    this.clock = options.now ?? engine.now;
    this.pollMs = options.pollMs ?? 1000;
  }

  start(): void {
    if (!this.stopped) return;
    this.stopped = false;
    this.running = this.loop();
  }

  /** Stops after the decision in progress; it commits or rolls back whole. */
  async stop(): Promise<void> {
    this.stopped = true;
    this.wake?.();
    await this.running;
  }

  private async loop(): Promise<void> {
    while (!this.stopped) {
      let waitMs = this.pollMs;
      try {
        await this.tick();
        const next = await nextFireTime(this.systems.resources.db.pool);
        if (next) waitMs = Math.min(this.pollMs, Math.max(0, next.getTime() - this.clock().getTime()));
      } catch (error) {
        this.engine.logger?.warn({ err: error }, 'scheduler tick failed; trying again');
      }
      await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, waitMs);
        this.wake = () => {
          clearTimeout(timer);
          resolve();
        };
      });
    }
  }

  /** Decides every schedule that needs it as of `now`; returns how many decisions were made. */
  async tick(now: Date = this.clock()): Promise<number> {
    let decisions = 0;
    for (let attempt = 0; attempt < MAX_DECISIONS_PER_TICK && !(attempt > 0 && this.stopped); attempt++) {
      try {
        if (!(await this.decideOne(now))) break;
        decisions++;
      } catch (error) {
        if (!(error instanceof StaleFiringDecision || isUniqueViolation(error))) throw error;
        // The schedule lock makes this rare (a replica whose clock runs ahead decided first): the decision rolled back whole, runs included.
        this.engine.logger?.warn({ err: error, replica: this.replica }, 'firing already decided elsewhere; decision rolled back');
      }
    }
    return decisions;
  }

  /** One schedule's decision in one transaction; false when no schedule needs one. */
  private async decideOne(now: Date): Promise<boolean> {
    const decided = await inTransaction(this.systems.resources.db, async (client) => {
      const schedule = await claimSchedule(client, now);
      if (!schedule) return undefined;
      const fireTimes = this.systems.resources.schedules.fireTimes(schedule.expression, schedule.timeZone);
      const commands = decideFirings(scheduleState(schedule), fireTimes, now);
      const request = {
        workflow: schedule.workflow,
        orgId: schedule.orgId,
        owner: `schedule:${schedule.name}`,
        input: schedule.input,
        triggerType: TriggerType.PERIODIC,
      };
      const starts: PendingStart[] = [];
      const rows: FiringRow[] = [];
      const outcomes: FiringOutcome[] = [];
      let advanceTo = schedule.nextFireTime ?? undefined;
      for (const command of commands) {
        switch (command.type) {
          case 'START_QUEUED': {
            const start = await this.systems.starts.startRunInTransaction(client, request);
            if (!(await startQueuedFiring(client, command.firingId, start.id, now))) throw new StaleFiringDecision();
            starts.push(start);
            outcomes.push(FiringOutcome.FIRED);
            break;
          }
          case 'CANCEL_RUN':
            await this.cancelPrevious(command.runId, schedule.orgId);
            break;
          case 'RECORD': {
            const start = startsRun(command.outcome) ? await this.systems.starts.startRunInTransaction(client, request) : undefined;
            if (start) starts.push(start);
            rows.push({ fireTime: command.fireTime, outcome: command.outcome, runId: start?.id });
            outcomes.push(command.outcome);
            break;
          }
          case 'ADVANCE':
            advanceTo = command.to;
            break;
        }
      }
      await insertFirings(client, schedule.id, rows, now, this.replica);
      const advanced = await advanceSchedule(client, { id: schedule.id, from: schedule.nextFireTime, to: advanceTo, lastRunId: starts.at(-1)?.id, now });
      if (!advanced) throw new StaleFiringDecision();
      return { starts, outcomes };
    });
    if (!decided) return false;
    await this.systems.starts.afterStartCommitted(decided.starts);
    for (const outcome of decided.outcomes) this.engine.metrics.scheduleFirings.inc({ outcome });
    return true;
  }

  /**
   * cancel_previous: a run that ended meanwhile (or was deleted) needs no
   * cancelling. The cancel commits on its own; should this decision roll back,
   * whichever replica decides the fire time instead cancels the same run.
   */
  private async cancelPrevious(runId: string, orgId: string): Promise<void> {
    try {
      await this.engine.cancelRun(runId, orgId);
    } catch (error) {
      if (!(error instanceof FlowlineError)) throw error;
      this.engine.logger?.debug({ runId: uuidToShortId(runId), code: error.code }, 'previous run not cancelled');
    }
  }
}

function scheduleState(schedule: ClaimedSchedule): ScheduleState {
  return {
    overlap: schedule.overlapPolicy as OverlapPolicy,
    misfire: schedule.misfirePolicy as MisfirePolicy,
    catchUpMax: schedule.catchUpMax,
    nextFireTime: schedule.nextFireTime ?? undefined,
    lastRunId: schedule.lastRunId ?? undefined,
    lastRunLive: schedule.lastRunLive,
    queuedCount: schedule.queuedCount,
    oldestQueuedId: schedule.oldestQueuedId ?? undefined,
  };
}
