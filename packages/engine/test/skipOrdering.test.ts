import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { compileDag } from '../src/core/dag.ts';
import { decideInTurn } from '../src/core/decideInTurn.ts';
import type { NodeState, RunEvent, RunState } from '../src/core/runState.ts';
import { runStateFromRows } from '../src/core/runStateFromRows.ts';
import { WorkflowSpecSchema } from '../src/core/spec.ts';
import { SATISFIED_STATUSES, Status, isTerminal } from '../src/core/status.ts';
import { InvalidTransition } from '../src/errors.ts';

/**
 * A node never starts before all its parents are satisfied, whatever an
 * operator skips and when: over generated DAGs, a run is driven by a random
 * interleaving of nodes finishing and nodes being skipped, and after every
 * decision no node that is READY, RUNNING, SUCCESS or SKIP has a parent that
 * is not satisfied. And skipping never strands a run: driven to the end, every
 * run succeeds.
 */
const NOW = new Date('2026-01-01T00:00:00Z');

/** A DAG, and the steps driving a run of it: finish the k-th runnable node, or ask to skip the k-th node. */
const driveArbitrary = fc.integer({ min: 2, max: 9 }).chain((n) =>
  fc.record({
    parents: fc.tuple(...Array.from({ length: n }, (_, j) => fc.subarray(Array.from({ length: j }, (_, i) => i)))),
    steps: fc.array(fc.record({ kind: fc.constantFrom<'finish' | 'skip'>('finish', 'finish', 'skip'), k: fc.nat(20) }), { maxLength: 30 }),
  }),
);

/** The run as a start leaves it: roots READY, the rest WAIT. */
function started(parents: readonly (readonly number[])[]): RunState {
  const dag = compileDag(
    WorkflowSpecSchema.parse({
      name: 'skips',
      nodes: parents.map((p, j) => ({ name: `n${j}`, type: 'noop', dependsOn: p.map((i) => `n${i}`) })),
    }),
  );
  const rows = dag.order.map((name) => ({ name, status: dag.parents.get(name)!.length === 0 ? Status.READY : Status.WAIT, attempt: 1, leaseOwner: null }));
  return runStateFromRows({ status: Status.RUNNING, cancelRequested: false, nodes: rows }, dag);
}

/** A worker takes a READY node (a claim: READY → RUNNING, no decision), then reports it succeeded. */
function finish(state: RunState, node: NodeState): RunState {
  const claimed = { ...state, nodes: state.nodes.map((n) => (n === node ? { ...n, status: Status.RUNNING } : n)) };
  return decide(claimed, { type: 'NODE_SUCCEEDED', node: node.name, attempt: node.attempt, outcome: {} });
}

function decide(state: RunState, event: RunEvent): RunState {
  try {
    return decideInTurn(state, [event], NOW).state;
  } catch (error) {
    if (error instanceof InvalidTransition) return state;
    throw error;
  }
}

/** Nodes that have started, or been skipped, while a parent is not satisfied. */
function startedTooEarly(state: RunState): string[] {
  const status = new Map(state.nodes.map((n) => [n.name, n.status]));
  const reached: Status[] = [Status.READY, Status.RUNNING, Status.SUCCESS, Status.SKIP];
  return state.nodes
    .filter((n) => reached.includes(n.status) && n.parents.some((p) => !SATISFIED_STATUSES.includes(status.get(p)!)))
    .map((n) => n.name);
}

describe('skipping nodes', () => {
  it('never lets a node start, or be skipped, before all its parents are satisfied, and never strands the run', () => {
    fc.assert(
      fc.property(driveArbitrary, ({ parents, steps }) => {
        let state = started(parents);
        for (const step of steps) {
          if (step.kind === 'skip') {
            state = decide(state, { type: 'SKIP_NODE', node: state.nodes[step.k % state.nodes.length]!.name });
          } else {
            const ready = state.nodes.filter((n) => n.status === Status.READY);
            if (ready.length > 0) state = finish(state, ready[step.k % ready.length]!);
          }
          expect(startedTooEarly(state)).toEqual([]);
        }
        // Driven to the end: whatever was skipped, every other node runs and the run succeeds.
        for (let ready = state.nodes.find((n) => n.status === Status.READY); ready; ready = state.nodes.find((n) => n.status === Status.READY)) {
          state = finish(state, ready);
          expect(startedTooEarly(state)).toEqual([]);
        }
        expect(state.nodes.filter((n) => !isTerminal(n.status)).map((n) => n.name)).toEqual([]);
        expect(state.status).toBe(Status.SUCCESS);
      }),
      { numRuns: 500, seed: 20261204 },
    );
  });

  it('skips a node asked to be skipped before it was reached the moment it is reached, and runs its children then', () => {
    // a → b → c: skipping b while a runs must not start c before a ends
    let state = started([[], [0], [1]]);
    state = decide(state, { type: 'SKIP_NODE', node: 'n1' });
    expect(state.nodes.map((n) => n.status)).toEqual([Status.READY, Status.WAIT, Status.WAIT]);
    expect(state.nodes[1]!.skipRequested).toBe(true);
    state = finish(state, state.nodes[0]!);
    expect(state.nodes.map((n) => n.status)).toEqual([Status.SUCCESS, Status.SKIP, Status.READY]);
  });
});
