import { describe, expect, it } from 'vitest';
import { compileDag } from '../src/core/dag.ts';
import { decideInTurn } from '../src/core/decideInTurn.ts';
import { elementName } from '../src/core/mapElements.ts';
import type { NodeStateRow, RunState } from '../src/core/runState.ts';
import { runStateFromRows } from '../src/core/runStateFromRows.ts';
import { WorkflowSpecSchema } from '../src/core/spec.ts';
import { Status } from '../src/core/status.ts';
import { KnownMapRuns } from '../src/runtime/knownMapRuns.ts';
import type { LockedRunRow } from '../src/storage/lockRun.ts';

/**
 * A run with maps is decided on its whole state; what its last committed
 * decision here left is used again, brought up to the locked decisionSeq with
 * the rows decided since, when each reported attempt matches what is known.
 * That such a state decides as a fresh read does is checked end to end by the
 * map fan-out tests of the worker package, which run every map on it.
 */
const S = Status;
const RUN = '00000000-0000-4000-8000-0000000000aa';
const dag = compileDag(
  WorkflowSpecSchema.parse({
    name: 'maps',
    nodes: [
      { name: 'list', type: 'noop' },
      { name: 'each', type: 'noop', dependsOn: ['list'], map: { over: 'list.items' } },
      { name: 'join', type: 'noop', dependsOn: ['each'] },
    ],
  }),
);
const run = (decisionSeq: number, status: Status = S.RUNNING, cancelRequested = false): LockedRunRow => ({
  id: RUN,
  status,
  cancelRequested,
  definitionId: 1,
  definitionVersion: 1,
  orgId: 'org',
  workflow: 'maps',
  traceId: null,
  startTime: new Date(0),
  decisionSeq,
});
const WIDTH = 4;
/** The run after its list succeeded with WIDTH items: the map RUNNING with its elements READY. */
function expanded(): RunState {
  const rows: NodeStateRow[] = [
    { name: 'list', status: S.RUNNING, attempt: 1, leaseOwner: 'w' },
    { name: 'each', status: S.WAIT, attempt: 1, leaseOwner: null },
    { name: 'join', status: S.WAIT, attempt: 1, leaseOwner: null },
  ];
  const state = runStateFromRows({ status: S.RUNNING, cancelRequested: false, nodes: rows }, dag);
  const items = Array.from({ length: WIDTH }, (_, i) => i);
  return decideInTurn(state, [{ type: 'NODE_SUCCEEDED', node: 'list', attempt: 1, leaseOwner: 'w', outcome: { output: { items } } }], new Date(0)).state;
}
const element = (i: number) => elementName('each', i);
const statusOf = (state: RunState | undefined, name: string) => state?.nodes.find((n) => n.name === name)?.status;

describe('the runs with maps a process knows whole', () => {
  it('gives the known state at the seq it was left at, with a reported success of a READY element as RUNNING', () => {
    const known = new KnownMapRuns();
    known.record(RUN, 2, expanded());
    const state = known.stateFor(run(2), [{ node: element(1), attempt: 1, leaseOwner: 'w2' }]);
    expect(statusOf(state, 'each')).toBe(S.RUNNING);
    expect(state?.nodes.find((n) => n.name === element(1))).toMatchObject({ status: S.RUNNING, attempt: 1, leaseOwner: 'w2' });
    expect(statusOf(state, element(0))).toBe(S.READY);
    // Decided on it, the success ends the element and leaves the map going.
    const decided = decideInTurn(state!, [{ type: 'NODE_SUCCEEDED', node: element(1), attempt: 1, leaseOwner: 'w2', outcome: { output: 1 } }], new Date(0));
    expect(statusOf(decided.state, element(1))).toBe(S.SUCCESS);
    expect(statusOf(decided.state, 'each')).toBe(S.RUNNING);
  });

  it('takes the run’s status and cancel request from the locked row: a start mark or a cancel is not in what is known', () => {
    const known = new KnownMapRuns();
    known.record(RUN, 2, { ...expanded(), status: S.READY });
    expect(known.stateFor(run(2, S.RUNNING, true), [])).toMatchObject({ status: S.RUNNING, cancelRequested: true });
  });

  it('gives nothing once another decision came (the seq moved), for a success it does not match, or for an attempt that ran unclaimed', () => {
    const known = new KnownMapRuns();
    known.record(RUN, 2, expanded());
    expect(known.stateFor(run(3), [])).toBeUndefined();
    expect(known.stateFor(run(2), [{ node: 'nope', attempt: 1 }])).toBeUndefined();
    expect(known.stateFor(run(2), [{ node: element(0), attempt: 1, unclaimedStart: new Date(0) }])).toBeUndefined();
    const running = known.stateFor(run(2), [{ node: element(0), attempt: 1, leaseOwner: 'w' }])!;
    known.record(RUN, 2, running);
    expect(known.stateFor(run(2), [{ node: element(0), attempt: 2, leaseOwner: 'w' }])).toBeUndefined();
    expect(known.stateFor(run(2), [{ node: element(0), attempt: 1, leaseOwner: 'other' }])).toBeUndefined();
    expect(known.stateFor(run(2), [{ node: element(0), attempt: 1, leaseOwner: 'w' }])).toBeDefined();
    known.forget(RUN);
    expect(known.stateFor(run(2), [])).toBeUndefined();
  });

  it('brings what it knows up to the locked seq with the rows other processes decided since', () => {
    const known = new KnownMapRuns();
    known.record(RUN, 2, expanded());
    expect(known.knownSeq(RUN)).toBe(2);
    const since = { seq: 2, rows: [{ name: element(0), status: S.SUCCESS, attempt: 1, leaseOwner: null }] };
    const state = known.stateFor(run(3), [{ node: element(1), attempt: 1, leaseOwner: 'w' }], since);
    expect(statusOf(state, element(0))).toBe(S.SUCCESS);
    expect(statusOf(state, element(1))).toBe(S.RUNNING);
    // Known as of another seq than the rows were read from, or a row it does not know (a map reached since): read whole.
    expect(known.stateFor(run(3), [], { seq: 1, rows: [] })).toBeUndefined();
    expect(known.stateFor(run(3), [], { seq: 2, rows: [{ name: 'other[0]', status: S.READY, attempt: 1, leaseOwner: null }] })).toBeUndefined();
  });

  it('keeps the newest of records that arrive out of turn', () => {
    const known = new KnownMapRuns();
    known.record(RUN, 5, expanded());
    known.record(RUN, 4, expanded());
    expect(known.knownSeq(RUN)).toBe(5);
  });

  it('gives nothing for a map whose list is to be read: its source succeeded, it is not reached and its list is not known', () => {
    const twoParents = compileDag(
      WorkflowSpecSchema.parse({
        name: 'maps',
        nodes: [
          { name: 'list', type: 'noop' },
          { name: 'gate', type: 'noop' },
          { name: 'each', type: 'noop', dependsOn: ['list', 'gate'], map: { over: 'list.items' } },
        ],
      }),
    );
    const rows: NodeStateRow[] = [
      { name: 'list', status: S.RUNNING, attempt: 1, leaseOwner: 'w' },
      { name: 'gate', status: S.RUNNING, attempt: 1, leaseOwner: 'w' },
      { name: 'each', status: S.WAIT, attempt: 1, leaseOwner: null },
    ];
    const start = runStateFromRows({ status: S.RUNNING, cancelRequested: false, nodes: rows }, twoParents);
    // The list's output was only in this decision's report: the map waits for the gate, its list not kept.
    const listed = decideInTurn(start, [{ type: 'NODE_SUCCEEDED', node: 'list', attempt: 1, leaseOwner: 'w', outcome: { output: { items: [1, 2] } } }], new Date(0)).state;
    const known = new KnownMapRuns();
    known.record(RUN, 2, listed);
    expect(known.stateFor(run(2), [{ node: 'gate', attempt: 1, leaseOwner: 'w' }])).toBeUndefined();
  });

  it('leaves what it knows untouched when it gives a state', () => {
    const known = new KnownMapRuns();
    known.record(RUN, 2, expanded());
    known.stateFor(run(2), [{ node: element(2), attempt: 1, leaseOwner: 'w' }]);
    expect(statusOf(known.stateFor(run(2), []), element(2))).toBe(S.READY);
  });

  it('keeps at most its node budget, forgetting the run decided about longest ago', () => {
    const known = new KnownMapRuns(2 * (3 + WIDTH));
    const other = (i: number) => `00000000-0000-4000-8000-00000000000${i}`;
    for (let i = 1; i <= 3; i++) known.record(other(i), 1, expanded());
    const at = (id: string) => known.stateFor({ ...run(1), id }, []);
    expect(at(other(1))).toBeUndefined();
    expect(at(other(2))).toBeDefined();
    expect(at(other(3))).toBeDefined();
  });
});
