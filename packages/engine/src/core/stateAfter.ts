import type { Command, NodeState, RunState } from './runState.ts';
import { keepPositions, nodePositions } from './nodePositions.ts';
import { Status } from './status.ts';

/**
 * The run as it will be once `commands` are applied: what lets several events
 * of one run be decided in one transaction, each on the state the previous one
 * leaves, without writing and re-reading in between. Pure, like `decide`.
 */
export function stateAfter(state: RunState, commands: readonly Command[]): RunState {
  if (!commands.some((c) => c.type === 'SET_NODE')) return { ...state, ...runAfter(state, commands) };
  const nodes = [...state.nodes];
  keepPositions(state.nodes, nodes);
  return writeInPlace({ ...state, nodes }, commands);
}

/** A run state whose node list its holder may write. */
export type WritableRunState = Omit<RunState, 'nodes'> & { readonly nodes: NodeState[] };

/**
 * `state` with `commands` applied to it, writing its node list in place: for
 * a caller that owns that list (see decideInTurn), which then copies it once
 * for many events instead of once for each.
 */
export function writeInPlace(state: WritableRunState, commands: readonly Command[]): WritableRunState {
  const positions = nodePositions(state.nodes);
  for (const write of commands) {
    if (write.type !== 'SET_NODE') continue;
    const position = positions.get(write.node)!;
    const node = state.nodes[position]!;
    // A write always releases the lease: only a claim gives a node to a worker.
    state.nodes[position] = { ...node, status: write.to, attempt: write.nextAttempt ?? node.attempt, leaseOwner: write.to === Status.RUNNING ? node.leaseOwner : null };
  }
  return { ...runAfter(state, commands), nodes: state.nodes };
}

/** The run's own status and cancel request after `commands`. */
function runAfter(state: RunState, commands: readonly Command[]): Pick<RunState, 'status' | 'cancelRequested'> {
  let { status, cancelRequested } = state;
  for (const command of commands) {
    if (command.type === 'SET_RUN') {
      status = command.to;
      cancelRequested = command.cancelRequested ?? cancelRequested;
    } else if (command.type === 'REQUEST_CANCEL') cancelRequested = true;
  }
  return { status, cancelRequested };
}
