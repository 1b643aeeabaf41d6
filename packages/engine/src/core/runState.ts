import type { Status } from './status.ts';

/** What the core needs to know of one node of a run. */
export interface NodeState {
  readonly name: string;
  readonly status: Status;
  readonly attempt: number;
  readonly parents: readonly string[];
  readonly children: readonly string[];
  readonly retries: number;
  readonly backoffMs: number;
}

/** What the core needs to know of a run: its status and its nodes in topological order. */
export interface RunState {
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

export type RunEvent =
  | { readonly type: 'NODE_SUCCEEDED'; readonly node: string; readonly attempt: number; readonly outcome: NodeOutcome }
  | {
      readonly type: 'NODE_FAILED';
      readonly node: string;
      readonly attempt: number;
      readonly failure: NodeFailure;
      readonly outcome: NodeOutcome;
    }
  | { readonly type: 'NODE_CANCELED'; readonly node: string; readonly attempt: number; readonly outcome: NodeOutcome }
  | { readonly type: 'CANCEL' }
  | { readonly type: 'SUSPEND' }
  | { readonly type: 'RESUME' }
  | { readonly type: 'RERUN' }
  | { readonly type: 'SKIP_NODE'; readonly node: string };

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
      readonly outcome?: NodeOutcome;
    }
  | { readonly type: 'SET_RUN'; readonly from: Status; readonly to: Status; readonly cancelRequested?: boolean }
  | { readonly type: 'REQUEST_CANCEL' }
  | { readonly type: 'ENQUEUE'; readonly node: string; readonly attempt: number; readonly runAt: Date }
  | { readonly type: 'ABORT'; readonly node: string; readonly attempt: number };
