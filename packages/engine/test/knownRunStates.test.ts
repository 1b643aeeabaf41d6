import { describe, expect, it } from 'vitest';
import { compileDag } from '../src/core/dag.ts';
import { WorkflowSpecSchema } from '../src/core/spec.ts';
import { Status } from '../src/core/status.ts';
import { KnownRunStates } from '../src/runtime/knownRunStates.ts';
import type { NodeStateRow } from '../src/core/runState.ts';
import type { LockedRunRow } from '../src/storage/lockRun.ts';

/**
 * What a process knows of a run decides a success only when it covers the
 * success's scope; these cases check the coverage rules on a wide fan-in
 * (its join has more parents than are checked one by one). That the states it
 * gives decide as the whole run does is checked in successScope.test.ts.
 */
const WIDTH = 100;
const MIDDLE = Array.from({ length: WIDTH }, (_, i) => `m${i}`);
const dag = compileDag(
  WorkflowSpecSchema.parse({
    name: 'fan',
    nodes: [
      { name: 'root', type: 'noop' },
      ...MIDDLE.map((name) => ({ name, type: 'noop', dependsOn: ['root'] })),
      { name: 'join', type: 'noop', dependsOn: MIDDLE },
    ],
  }),
);
const RUN = '00000000-0000-4000-8000-000000000001';
const run = (decisionSeq: number, status: Status = Status.RUNNING): LockedRunRow => ({
  id: RUN,
  status,
  cancelRequested: false,
  definitionId: 1,
  definitionVersion: 1,
  orgId: 'org',
  workflow: 'fan',
  traceId: null,
  startTime: new Date(0),
  decisionSeq,
});
const row = (name: string, status: Status, leaseOwner: string | null = null): NodeStateRow => ({ name, status, attempt: 1, leaseOwner });
const middles = (status: Status) => MIDDLE.map((name) => row(name, status));
const success = (...nodes: string[]) => nodes.map((node) => ({ node, attempt: 1, leaseOwner: 'w' }));
const statuses = (known: KnownRunStates, ...nodes: string[]) =>
  Object.fromEntries(known.successState(RUN, success(...nodes))!.state.nodes.map((n) => [n.name, n.status]));

describe('what a process knows of a run', () => {
  it('covers a middle success only once the join is known', () => {
    const known = new KnownRunStates();
    known.record(run(1), dag, [row('root', Status.SUCCESS), ...middles(Status.READY)], 0);
    expect(known.successState(RUN, success('m0'))).toBeUndefined();
    known.record(run(2), dag, [row('m0', Status.SUCCESS), row('join', Status.WAIT)], 1);
    // m1 was claimed since (no decision): its row is taken from the report, and one unsatisfied sibling keeps the join waiting
    const state = statuses(known, 'm1');
    expect(state).toMatchObject({ m1: Status.RUNNING, join: Status.WAIT });
    expect(Object.values(state).filter((s) => s === Status.READY)).toHaveLength(1);
  });

  it('reads afresh a success its known row does not match: what is known may be what is stale', () => {
    const known = new KnownRunStates();
    known.record(run(5), dag, [row('root', Status.SUCCESS), ...middles(Status.READY), row('m1', Status.WAIT), row('m2', Status.SUCCESS), row('m3', Status.RUNNING, 'other'), row('join', Status.WAIT)], 5);
    // known WAIT (released by another process since), known SUCCESS (rerun since), another worker's lease
    for (const node of ['m1', 'm2', 'm3']) expect(known.successState(RUN, success(node))).toBeUndefined();
    expect(known.successState(RUN, [{ node: 'm3', attempt: 2, leaseOwner: 'other' }])).toBeUndefined();
    expect(known.successState(RUN, [{ node: 'm3', attempt: 1, leaseOwner: 'other' }])).toBeDefined();
  });

  it('decides a success run unclaimed on its known READY row, and reads afresh when the known row is not READY on that attempt', () => {
    const known = new KnownRunStates();
    known.record(run(5), dag, [row('root', Status.SUCCESS), ...middles(Status.READY), row('m2', Status.RUNNING, 'w'), row('join', Status.WAIT)], 5);
    const unclaimed = (node: string, attempt = 1) => [{ node, attempt, leaseOwner: 'w', unclaimedStart: new Date(0) }];
    // the row stays READY for decide, which takes the success only from READY
    const state = known.successState(RUN, unclaimed('m1'))!.state;
    expect(state.nodes.find((n) => n.name === 'm1')!.status).toBe(Status.READY);
    expect(known.successState(RUN, unclaimed('m1', 2))).toBeUndefined();
    expect(known.successState(RUN, unclaimed('m2'))).toBeUndefined();
  });

  it('releases the join on the last middle success, with every other parent known satisfied', () => {
    const known = new KnownRunStates();
    known.record(run(5), dag, [row('root', Status.SUCCESS), ...middles(Status.SUCCESS), row('m7', Status.RUNNING, 'w'), row('join', Status.WAIT)], 5);
    expect(statuses(known, 'm7')).toEqual({ m7: Status.RUNNING, join: Status.WAIT });
  });

  it('does not decide when a parent of the child is unknown and none known blocks it', () => {
    const known = new KnownRunStates();
    const others = MIDDLE.filter((m) => m !== 'm3' && m !== 'm7').map((name) => row(name, Status.SUCCESS));
    known.record(run(5), dag, [row('root', Status.SUCCESS), ...others, row('m7', Status.RUNNING, 'w'), row('join', Status.WAIT)], 5);
    expect(known.successState(RUN, success('m7'))).toBeUndefined();
  });

  it('ends a run only when every node is known', () => {
    const known = new KnownRunStates();
    known.record(run(9), dag, [row('join', Status.RUNNING, 'w')], 9);
    expect(known.successState(RUN, success('join'))).toBeUndefined();
    known.record(run(9), dag, [row('root', Status.SUCCESS), ...middles(Status.SUCCESS), row('m4', Status.FAIL)], 9);
    expect(statuses(known, 'join')).toEqual({ join: Status.RUNNING, m4: Status.FAIL });
  });

  it('keeps what was known only while the decisions follow one another', () => {
    const known = new KnownRunStates();
    known.record(run(3), dag, [row('root', Status.SUCCESS), ...middles(Status.READY), row('join', Status.WAIT)], 2);
    // a decision made on seq 7 (another process decided in between): what it read replaces what was known
    known.record(run(8), dag, [row('m0', Status.SUCCESS)], 7);
    expect(known.successState(RUN, success('m1'))).toBeUndefined();
    // an older decision's record does not overwrite a newer one
    known.record(run(9), dag, [row('root', Status.SUCCESS), ...middles(Status.READY), row('join', Status.WAIT)], 8);
    known.record(run(4), dag, [row('join', Status.SKIP)], 3);
    expect(statuses(known, 'm1').join).toBe(Status.WAIT);
    known.forget(RUN);
    expect(known.successState(RUN, success('m1'))).toBeUndefined();
  });

  it('forgets a run that ended', () => {
    const known = new KnownRunStates();
    known.record(run(3), dag, [row('root', Status.SUCCESS), ...middles(Status.READY), row('join', Status.WAIT)], 2);
    known.record(run(4, Status.CANCEL), dag, [], 3);
    expect(known.successState(RUN, success('m1'))).toBeUndefined();
  });
});

describe('how much is known', () => {
  it('keeps at most so many runs and rows, forgetting the runs decided about longest ago', () => {
    const known = new KnownRunStates(2, 150);
    const runOf = (id: string) => ({ ...run(1), id });
    const ids = ['00000000-0000-4000-8000-00000000000a', '00000000-0000-4000-8000-00000000000b', '00000000-0000-4000-8000-00000000000c'];
    const full = [row('root', Status.SUCCESS), ...middles(Status.READY), row('join', Status.WAIT)];
    known.record(runOf(ids[0]!), dag, full, 0);
    known.record(runOf(ids[1]!), dag, [row('root', Status.RUNNING, 'w')], 0);
    known.record(runOf(ids[2]!), dag, [row('root', Status.RUNNING, 'w')], 0);
    // three runs are one too many: the first goes, and with it 102 of the rows
    expect(known.successState(ids[0]!, success('m1'))).toBeUndefined();
    known.record(runOf(ids[0]!), dag, full, 0);
    // 102 + 1 + 1 rows is within 150, but three runs are not: the oldest (b) goes
    expect(known.successState(ids[0]!, success('m1'))).toBeDefined();
    known.record(runOf(ids[1]!), dag, full, 0);
    // b again: 102 + 102 rows is over 150, so c and then a go
    expect(known.successState(ids[1]!, success('m1'))).toBeDefined();
    expect(known.successState(ids[0]!, success('m1'))).toBeUndefined();
  });
});

describe('a run no decision has changed, seen by a claim', () => {
  it('is known as its start inserted it: its first success is decided without a read, and the run keeps going', () => {
    const known = new KnownRunStates();
    known.recordUndecided(run(0, Status.READY), dag);
    expect(statuses(known, 'root')).toMatchObject({ root: Status.RUNNING, m0: Status.WAIT, m99: Status.WAIT });
    // the claim saw a READY run and left it so (a claim writes its node alone): its success is decided on it as seen
    expect(known.successState(RUN, success('root'))!.run.status).toBe(Status.READY);
  });

  it('is not taken from a claim once a decision has changed it, nor over what is known', () => {
    const known = new KnownRunStates();
    known.recordUndecided(run(1), dag);
    expect(known.successState(RUN, success('root'))).toBeUndefined();
    known.record(run(2), dag, [row('root', Status.SUCCESS), ...middles(Status.READY), row('join', Status.WAIT)], 0);
    known.recordUndecided(run(0), dag);
    expect(statuses(known, 'm1')).toMatchObject({ m1: Status.RUNNING, join: Status.WAIT });
    expect(known.successState(RUN, success('m1'))!.run.decisionSeq).toBe(2);
  });
});
