import type { DagMap } from './dag.ts';
import type { MapList } from './mapSpec.ts';
import type { FailureCause, NodeRetryPolicy } from './retryPolicy.ts';
import type { Status } from './status.ts';

/** What the core knows of a map node (core/mapSpec.ts): its list, when known, and its elements once it has them. */
export interface MapState extends DagMap {
  /** the list's length, or why there is none; undefined until its parent has ended (or when the state was not read whole) */
  readonly list?: MapList;
  /** its elements' names in index order; empty before it is reached */
  readonly elements: readonly string[];
}

/** What the core needs to know of one node of a run. */
export interface NodeState {
  readonly name: string;
  readonly status: Status;
  readonly attempt: number;
  readonly parents: readonly string[];
  readonly children: readonly string[];
  readonly retries: number;
  readonly backoffMs: number;
  /** how its failures are retried beyond retries and backoffMs (core/retryPolicy.ts) */
  readonly retry?: NodeRetryPolicy;
  /** who holds the lease of a RUNNING node (a worker, or the reconciler that took it over) */
  readonly leaseOwner?: string | null;
  /** attempts lost to the platform (see LEASE_EXPIRED); they do not count against `retries` */
  readonly lostAttempts?: number;
  /** an operator asked to skip it before it was reached: it is skipped, not run, once its parents are satisfied */
  readonly skipRequested?: boolean;
  /** set on a map node (see MapState) */
  readonly map?: MapState;
  /** set on a map's element: the map's name (core/mapElements.ts) */
  readonly elementOf?: string;
}

/** A node's row as decisions read it: what of a node changes while its run goes on. */
export interface NodeStateRow {
  readonly name: string;
  readonly status: Status;
  readonly attempt: number;
  /** who holds the lease of a RUNNING node; null when nobody does */
  readonly leaseOwner: string | null;
  /** attempts lost to the platform; read where a decision may need it (a whole run's rows) */
  readonly lostAttempts?: number;
  /** to be skipped once reached (see NodeState.skipRequested) */
  readonly skipRequested?: boolean;
}

/** What the core needs to know of a run: its status and its nodes in topological order (a map's elements after every declared node). */
export interface RunState {
  /** the run's id, when known: what seeds its retries' jitter (core/retryPolicy.ts) */
  readonly id?: string;
  readonly status: Status;
  readonly cancelRequested: boolean;
  readonly nodes: readonly NodeState[];
}

/** How a node's handler ended without success. */
export type NodeFailure = 'FAIL' | 'TIMEOUT' | 'INTERNAL_ERROR';

/** What the handler left behind: its log text, its output for children, its error. */
export interface NodeOutcome {
  readonly result?: string;
  readonly output?: unknown;
  readonly error?: string;
}

/**
 * A report about a node attempt. `leaseOwner` is the reporter's lease: the
 * report counts only while the reporter still holds the node, so a worker
 * whose lease was taken over cannot complete it (exactly-once completion).
 */
interface NodeReport {
  readonly node: string;
  readonly attempt: number;
  readonly leaseOwner?: string;
}

/**
 * A success of an attempt that ran before it was claimed: a local attempt
 * whose handler finished before its claim was written (see NodeWorker's
 * deferred claims). Its row is still READY; the report counts only while it
 * is, on the same attempt, and its write walks READY → RUNNING → SUCCESS,
 * keeping `startedAt` as the attempt's start.
 */
interface UnclaimedRun {
  readonly unclaimedStart?: Date;
}

/** What can happen to a run: a node attempt's report, or an operator's or the reconciler's request. `decide` answers each with commands. */
export type RunEvent =
  | (NodeReport & UnclaimedRun & { readonly type: 'NODE_SUCCEEDED'; readonly outcome: NodeOutcome })
  | (NodeReport & FailureCause & { readonly type: 'NODE_FAILED'; readonly failure: NodeFailure; readonly outcome: NodeOutcome })
  | (NodeReport & { readonly type: 'NODE_CANCELED'; readonly outcome: NodeOutcome })
  /**
   * The node's worker died or stopped renewing its lease; the reconciler took
   * the lease over and reports the attempt lost. Lost attempts are the
   * platform's: the node is re-run while it has lost fewer than
   * `lostAttemptsAllowed` (FLOWLINE_MAX_LOST_ATTEMPTS), apart from its retries.
   */
  | (NodeReport & {
      readonly type: 'LEASE_EXPIRED';
      readonly leaseOwner: string;
      readonly lostAttemptsAllowed: number;
      /** what happened to the worker, as the record says it */
      readonly why?: string;
      /** the worker that held the attempt before the reconciler took it over */
      readonly lostBy?: string;
    })
  /** closes a run whose nodes are all terminal but whose own status is not */
  | { readonly type: 'SETTLE' }
  | { readonly type: 'CANCEL' }
  | { readonly type: 'SUSPEND' }
  | { readonly type: 'RESUME' }
  | { readonly type: 'RERUN' }
  | { readonly type: 'SKIP_NODE'; readonly node: string }
  /** a handler handed its wait to the engine (ctx.startChild): its node stays RUNNING, its lease released */
  | (NodeReport & { readonly type: 'NODE_DETACHED' })
  /** a parked node came due: it waits RUNNING, with no lease and no worker, for what it waits for (core/parkedNode.ts) */
  | { readonly type: 'NODE_PARKED'; readonly node: string; readonly attempt: number };

/**
 * What the adapters must do. Status commands carry the status they expect to
 * find (`from`); storage turns each into one conditional UPDATE, and a write that
 * matches no row means the decision was made on stale state.
 */
export type Command =
  | {
      readonly type: 'SET_NODE';
      readonly node: string;
      /** the attempt the row must still be on */
      readonly attempt: number;
      readonly from: Status;
      readonly to: Status;
      /** set when the write starts a new attempt (retry, rerun): clears timings and outcome */
      readonly nextAttempt?: number;
      /** with nextAttempt: the status the ending attempt ended in, as its attempt history records it */
      readonly ended?: Status;
      /** with nextAttempt: the ending attempt was lost to the platform (it counts against lostAttempts, not retries) */
      readonly lost?: boolean;
      /** with nextAttempt: who ran the ending attempt, when the row no longer says (a lease taken over) */
      readonly ranBy?: string;
      /** records that the node is to be skipped once reached; the status stays what it is (WAIT) */
      readonly requestSkip?: true;
      readonly outcome?: NodeOutcome;
      /** the lease the row must still be held by (set for writes reporting a node attempt) */
      readonly leaseOwner?: string;
      /** the start of an attempt that ran unclaimed (from READY), stored as its start */
      readonly startedAt?: Date;
    }
  | { readonly type: 'SET_RUN'; readonly from: Status; readonly to: Status; readonly cancelRequested?: boolean }
  | { readonly type: 'REQUEST_CANCEL' }
  /** a map reached: its elements' rows, `[0, started)` as `startedAs` (READY, or SUSPEND in a suspended run), the rest WAIT */
  | { readonly type: 'ADD_ELEMENTS'; readonly node: string; readonly count: number; readonly started: number; readonly startedAs: Status }
  /** a map succeeding: its output becomes its elements' outputs, in index order (written before its status) */
  | { readonly type: 'JOIN_ELEMENTS'; readonly node: string }
  | { readonly type: 'ENQUEUE'; readonly node: string; readonly attempt: number; readonly runAt: Date }
  | { readonly type: 'ABORT'; readonly node: string; readonly attempt: number };
