import type { Command, RunState } from './runState.ts';
import { keepPositions } from './nodePositions.ts';
import { Status } from './status.ts';

/**
 * The run as it will be once `commands` are applied: what lets several events
 * of one run be decided in one transaction, each on the state the previous one
 * leaves, without writing and re-reading in between. Pure, like `decide`.
 */
export function stateAfter(state: RunState, commands: readonly Command[]): RunState {
  let { status, cancelRequested } = state;
  const nodeWrites = new Map<string, Extract<Command, { type: 'SET_NODE' }>>();
  for (const command of commands) {
    if (command.type === 'SET_NODE') nodeWrites.set(command.node, command);
    else if (command.type === 'SET_RUN') {
      status = command.to;
      cancelRequested = command.cancelRequested ?? cancelRequested;
    } else if (command.type === 'REQUEST_CANCEL') cancelRequested = true;
  }
  if (nodeWrites.size === 0) return { ...state, status, cancelRequested };
  const nodes = state.nodes.map((node) => {
    const write = nodeWrites.get(node.name);
    if (!write) return node;
    // A write always releases the lease: only a claim gives a node to a worker.
    return { ...node, status: write.to, attempt: write.nextAttempt ?? node.attempt, leaseOwner: write.to === Status.RUNNING ? node.leaseOwner : null };
  });
  keepPositions(state.nodes, nodes);
  return { status, cancelRequested, nodes };
}
