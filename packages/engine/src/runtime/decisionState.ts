import type { Dag } from '../core/dag.ts';
import type { NodeStateRow, RunEvent, RunState } from '../core/runState.ts';
import { scopedRunState } from '../core/successScope.ts';
import type { LockedRunRow } from '../storage/lockRun.ts';

/** A locked run and the state `decide` needs for the events asked about it. */
export interface DecisionState {
  readonly run: LockedRunRow;
  readonly state: RunState;
}

/** Which definition version a run is pinned to: enough to load its success scope before reading its row. */
export interface RunDefinitionRef {
  readonly definitionId: number;
  readonly definitionVersion: number;
}

/** An event to load state for; `definition` is the run's, when the caller knows it already (a worker's claim told it). */
export interface DecisionEvent {
  readonly runUuid: string;
  readonly event: RunEvent;
  readonly definition?: RunDefinitionRef;
}

/** The state `decide` gets from a success scope's rows (see core/successScope.ts). */
export function scopedDecisionState(run: LockedRunRow, rows: readonly NodeStateRow[], dag: Dag): DecisionState {
  return { run, state: scopedRunState(run, rows, dag) };
}
