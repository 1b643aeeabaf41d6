import { describe, expect, it } from 'vitest';
import { decide } from '../src/core/decide.ts';
import { decideInTurn } from '../src/core/decideInTurn.ts';
import { childEndedEvent, parkedParamsProblem, signalEvent, signalNameOf } from '../src/core/parkedNode.ts';
import type { NodeState, RunState } from '../src/core/runState.ts';
import { Status } from '../src/core/status.ts';

const NOW = new Date('2026-01-01T00:00:00Z');

function node(name: string, status: Status, parents: string[] = [], children: string[] = []): NodeState {
  return { name, status, attempt: 1, parents, children, retries: 0, backoffMs: 1000, leaseOwner: null, lostAttempts: 0 };
}

const waiting = (gate: Status, run: Status = Status.RUNNING): RunState => ({
  status: run,
  cancelRequested: false,
  nodes: [node('a', Status.SUCCESS, [], ['gate']), node('gate', gate, ['a'], ['b']), node('b', Status.WAIT, ['gate'])],
});

describe('parking a node (NODE_PARKED)', () => {
  it('moves a READY node to RUNNING with no lease, starting its attempt, and queues nothing', () => {
    const commands = decide(waiting(Status.READY), { type: 'NODE_PARKED', node: 'gate', attempt: 1 }, NOW);
    expect(commands).toEqual([{ type: 'SET_NODE', node: 'gate', attempt: 1, from: Status.READY, to: Status.RUNNING, startedAt: NOW }]);
  });

  it('moves a READY run to RUNNING with it', () => {
    const commands = decide({ status: Status.READY, cancelRequested: false, nodes: [node('gate', Status.READY)] }, { type: 'NODE_PARKED', node: 'gate', attempt: 1 }, NOW);
    expect(commands[0]).toEqual({ type: 'SET_RUN', from: Status.READY, to: Status.RUNNING });
  });

  it('is a race lost (no commands) when the node is no longer READY on that attempt', () => {
    expect(decide(waiting(Status.RUNNING), { type: 'NODE_PARKED', node: 'gate', attempt: 1 }, NOW)).toEqual([]);
    expect(decide(waiting(Status.CANCEL, Status.CANCEL), { type: 'NODE_PARKED', node: 'gate', attempt: 1 }, NOW)).toEqual([]);
    expect(decide(waiting(Status.READY), { type: 'NODE_PARKED', node: 'gate', attempt: 2 }, NOW)).toEqual([]);
  });

  it('a parked node reported done without a lease succeeds and releases its children', () => {
    const commands = decide(waiting(Status.RUNNING), { type: 'NODE_SUCCEEDED', node: 'gate', attempt: 1, outcome: { output: { go: true } } }, NOW);
    expect(commands.map((c) => (c.type === 'SET_NODE' ? `${c.node}:${c.to}` : c.type))).toEqual(['gate:1', 'b:6', 'ENQUEUE']);
  });
});

describe('a handler handing its wait to a child run (NODE_DETACHED)', () => {
  const held = (): RunState => ({ ...waiting(Status.RUNNING), nodes: waiting(Status.RUNNING).nodes.map((n) => (n.name === 'gate' ? { ...n, leaseOwner: 'w1' } : n)) });

  it("releases the reporter's lease, the node staying RUNNING", () => {
    expect(decide(held(), { type: 'NODE_DETACHED', node: 'gate', attempt: 1, leaseOwner: 'w1' }, NOW)).toEqual([
      { type: 'SET_NODE', node: 'gate', attempt: 1, from: Status.RUNNING, to: Status.RUNNING, leaseOwner: 'w1' },
    ]);
  });

  it('is a race lost when another holds the lease', () => {
    expect(decide(held(), { type: 'NODE_DETACHED', node: 'gate', attempt: 1, leaseOwner: 'w2' }, NOW)).toEqual([]);
  });

  it('leaves the node without a lease in the state decided in turn', () => {
    const { state } = decideInTurn(held(), [{ type: 'NODE_DETACHED', node: 'gate', attempt: 1, leaseOwner: 'w1' }], NOW);
    expect(state.nodes.find((n) => n.name === 'gate')).toMatchObject({ status: Status.RUNNING, leaseOwner: null });
  });
});

describe('what a signal reports', () => {
  const sent = { name: 'go', payload: { v: 1 }, sentBy: 'ops', sentAt: NOW };

  it('a wait node succeeds with the payload as its output', () => {
    expect(signalEvent({ node: 'gate', attempt: 2, type: 'wait' }, sent)).toEqual({
      type: 'NODE_SUCCEEDED',
      node: 'gate',
      attempt: 2,
      outcome: { output: { v: 1 }, result: 'signal go received from ops' },
    });
  });

  it('an approval succeeds only when the payload says approved: true, recording who and when', () => {
    const approved = signalEvent({ node: 'ok', attempt: 1, type: 'approval' }, { ...sent, payload: { approved: true, by: 'alice', at: '2026-01-01T00:00:00.000Z' } });
    expect(approved).toMatchObject({ type: 'NODE_SUCCEEDED', outcome: { output: { approved: true, by: 'alice', at: '2026-01-01T00:00:00.000Z' } } });
    const bare = signalEvent({ node: 'ok', attempt: 1, type: 'approval' }, { ...sent, payload: null });
    expect(bare).toMatchObject({ type: 'NODE_FAILED', failure: 'FAIL', outcome: { error: 'rejected by ops at 2026-01-01T00:00:00.000Z' } });
  });

  it('a rejection fails the approval with the approver and the reason', () => {
    const rejected = signalEvent({ node: 'ok', attempt: 1, type: 'approval' }, { ...sent, payload: { approved: false, by: 'bob', at: 'then', reason: 'no' } });
    expect(rejected).toMatchObject({ type: 'NODE_FAILED', outcome: { error: 'rejected by bob at then: no' } });
  });
});

describe("what a child run's end reports", () => {
  const child = { id: 'c1', output: { size: 3 }, error: null };

  it('success: the node succeeds with the child output', () => {
    expect(childEndedEvent({ node: 'sub', attempt: 1 }, { ...child, status: Status.SUCCESS })).toMatchObject({ type: 'NODE_SUCCEEDED', outcome: { output: { size: 3 } } });
  });

  it('failure of any kind: the node fails with the child first error', () => {
    expect(childEndedEvent({ node: 'sub', attempt: 1 }, { ...child, status: Status.TIMEOUT, error: 'slow' })).toMatchObject({
      type: 'NODE_FAILED',
      failure: 'FAIL',
      outcome: { error: 'child run c1 ended TIMEOUT: slow' },
    });
  });

  it('cancel: the node is cancelled', () => {
    expect(childEndedEvent({ node: 'sub', attempt: 1 }, { ...child, status: Status.CANCEL }).type).toBe('NODE_CANCELED');
  });
});

describe('parked node params', () => {
  it('a wait node takes its own name as its signal unless params.signal names one', () => {
    expect(signalNameOf({ name: 'gate', params: {} })).toBe('gate');
    expect(signalNameOf({ name: 'gate', params: { signal: 'go' } })).toBe('go');
  });

  it('refuses a workflow node without a workflow and a wait node with a bad signal name', () => {
    expect(parkedParamsProblem({ type: 'workflow', params: {} })).toMatch(/params.workflow/);
    expect(parkedParamsProblem({ type: 'wait', params: { signal: 'a b' } })).toMatch(/params.signal/);
    expect(parkedParamsProblem({ type: 'workflow', params: { workflow: 'Child', input: { a: 1 } } })).toBeUndefined();
  });
});
