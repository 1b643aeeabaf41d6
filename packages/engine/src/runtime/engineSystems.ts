import { AuditTrail } from '../audit/auditTrail.ts';
import { Backfills } from '../backfill/backfills.ts';
import { BulkOperations } from '../bulk/bulkOperations.ts';
import type { EngineResources } from './engineResources.ts';
import { AdmissionSystem } from './systems/admissionSystem.ts';
import { DecisionSystem } from './systems/decisionSystem.ts';
import { DispatchSystem } from './systems/dispatchSystem.ts';
import { FleetSystem } from './systems/fleetSystem.ts';
import { HistorySystem } from './systems/historySystem.ts';
import { StartSystem } from './systems/startSystem.ts';
import { WaitSystem } from './systems/waitSystem.ts';
import { WorkerSystem } from './systems/workerSystem.ts';

/**
 * An engine's systems, each owning one part of a run's life (as trigger.dev's
 * run engine splits its own), all sharing one resources object:
 *
 * - `starts` writes new runs and dispatches their roots;
 * - `decisions` applies events to runs through the pure core and writes them;
 * - `dispatch` hands what becomes runnable to the local lane or Redis, and publishes aborts;
 * - `workers` is the workers' way in: claims, leases, reports;
 * - `history` reads runs for every surface;
 * - `waits` parks the nodes that wait without a worker: signals, approvals, child runs;
 * - `fleet` registers workers and the handler types they serve;
 * - `audit` keeps the trail of state-changing calls every surface appends to;
 * - `bulk` records and works off bulk operations over many runs;
 * - `backfills` records and works off backfills of schedules over past ranges;
 * - `admission` admits waiting runs of workflows with a concurrency limit into free slots.
 *
 * The engine package's own loops (Reconciler, SchedulerLoop) act through them too.
 */
export interface EngineSystems {
  readonly resources: EngineResources;
  readonly starts: StartSystem;
  readonly decisions: DecisionSystem;
  readonly dispatch: DispatchSystem;
  readonly workers: WorkerSystem;
  readonly history: HistorySystem;
  readonly waits: WaitSystem;
  readonly fleet: FleetSystem;
  readonly audit: AuditTrail;
  readonly bulk: BulkOperations;
  readonly backfills: Backfills;
  readonly admission: AdmissionSystem;
}

export function createSystems(resources: EngineResources): EngineSystems {
  const dispatch = new DispatchSystem(resources);
  const history = new HistorySystem(resources.db);
  const admission = new AdmissionSystem(resources, dispatch);
  const decisions = new DecisionSystem(resources, dispatch, admission);
  const starts = new StartSystem(resources, dispatch, history, admission);
  const waits = new WaitSystem(resources, decisions, starts, history);
  dispatch.attachParking(waits);
  decisions.onRunsEnded((runs) => waits.runsEnded(runs));
  return {
    resources,
    starts,
    decisions,
    dispatch,
    workers: new WorkerSystem(resources, decisions, dispatch, waits),
    history,
    waits,
    fleet: new FleetSystem(resources),
    audit: new AuditTrail(resources.db),
    bulk: new BulkOperations(resources, decisions),
    backfills: new Backfills(resources, starts),
    admission,
  };
}
