import { decide } from './decide.ts';
import { elementName } from './mapElements.ts';
import { appendNodes, keepPositions, nodePositions } from './nodePositions.ts';
import type { Command, NodeState, RunEvent, RunState } from './runState.ts';
import { Status } from './status.ts';

/**
 * Decides events of one run in turn, each on the state the ones before it
 * leave, and answers each event's commands and the state after them all:
 * what lets several events of one run be decided in one transaction without
 * writing and re-reading in between. Pure: the node list is copied once for
 * the whole batch and written in place, not copied once per event — a batch
 * of K successes decided on a state of ~K nodes copied K² entries (a
 * 1 → 10,000 → 1 batch of 435: 190,000).
 */
export function decideInTurn(state: RunState, events: readonly RunEvent[], now: Date): { commands: Command[][]; state: RunState } {
  const nodes: NodeState[] = [...state.nodes];
  keepPositions(state.nodes, nodes);
  let positions = nodePositions(nodes);
  let { status, cancelRequested } = state;
  const commands = events.map((event) => {
    const decided = decide({ ...idOf(state), status, cancelRequested, nodes }, event, now);
    for (const command of decided) {
      if (command.type === 'SET_NODE') {
        const position = positions.get(command.node)!;
        const node = nodes[position]!;
        // A write always releases the lease: only a claim gives a node to a worker.
        nodes[position] = {
          ...node,
          status: command.to,
          attempt: command.nextAttempt ?? node.attempt,
          leaseOwner: command.to === Status.RUNNING && command.from !== Status.RUNNING ? node.leaseOwner : null,
          lostAttempts: (node.lostAttempts ?? 0) + (command.lost ? 1 : 0),
          skipRequested: command.requestSkip ?? node.skipRequested,
        };
      } else if (command.type === 'SET_RUN') {
        status = command.to;
        cancelRequested = command.cancelRequested ?? cancelRequested;
      } else if (command.type === 'REQUEST_CANCEL') cancelRequested = true;
      else if (command.type === 'ADD_ELEMENTS') {
        addElements(nodes, positions.get(command.node)!, command);
        positions = nodePositions(nodes);
      }
    }
    return decided;
  });
  return { commands, state: { ...idOf(state), status, cancelRequested, nodes } };
}

function idOf(state: RunState): Pick<RunState, 'id'> {
  return state.id === undefined ? {} : { id: state.id };
}

/** A map's new elements, as the rows ADD_ELEMENTS writes: appended to the state, and named in the map's. */
function addElements(nodes: NodeState[], mapPosition: number, { count, started, startedAs }: Extract<Command, { type: 'ADD_ELEMENTS' }>): void {
  const map = nodes[mapPosition]!;
  const elements = Array.from({ length: count }, (_, i): NodeState => ({
    name: elementName(map.name, i),
    status: i < started ? startedAs : Status.WAIT,
    attempt: 1,
    leaseOwner: null,
    lostAttempts: 0,
    skipRequested: false,
    parents: [],
    children: [],
    retries: map.retries,
    backoffMs: map.backoffMs,
    ...(map.retry ? { retry: map.retry } : {}),
    elementOf: map.name,
  }));
  nodes[mapPosition] = { ...map, map: { ...map.map!, elements: elements.map((e) => e.name) } };
  appendNodes(nodes, elements);
}
