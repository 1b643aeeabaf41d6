import { describe, expect, it } from 'vitest';
import { decide } from '../src/core/decide.ts';
import type { Command, NodeState, RunState } from '../src/core/runState.ts';
import { Status, canTransition, isLegalPath, shortestPath } from '../src/core/status.ts';

/** A plain write is one allowed step; a new attempt walks through RERUN (a retry also through the status its attempt ended in). */
function isLegalNodeWrite(c: Extract<Command, { type: 'SET_NODE' }>): boolean {
  // A READY attempt may end in one write walking through RUNNING (started before its claim, or lost with its lane).
  if (c.nextAttempt === undefined) return canTransition(c.from, c.to) || (c.from === Status.READY && isLegalPath([c.from, Status.RUNNING, c.to]));
  const ended = c.ended ?? Status.FAIL;
  // A lost READY attempt (handed to a lane that died) walks through RUNNING first.
  const via = c.from === Status.READY ? [Status.RUNNING] : [];
  return isLegalPath([c.from, Status.RERUN, c.to]) || isLegalPath([c.from, ...via, ended, Status.RERUN, Status.READY, ...(c.to === Status.SUSPEND ? [c.to] : [])]);
}
import { InvalidTransition } from '../src/errors.ts';

const NOW = new Date('2026-01-01T00:00:00Z');
const S = Status;

/** A run from a compact description: `name: status` plus edges and options. */
function run(
  status: Status,
  nodes: Record<string, { status: Status; parents?: string[]; attempt?: number; lostAttempts?: number; retries?: number; backoffMs?: number; leaseOwner?: string }>,
  cancelRequested = false,
): RunState {
  const children = (name: string) => Object.entries(nodes).filter(([, n]) => n.parents?.includes(name)).map(([c]) => c);
  return {
    status,
    cancelRequested,
    nodes: Object.entries(nodes).map(
      ([name, n]): NodeState => ({
        name,
        status: n.status,
        attempt: n.attempt ?? 1,
        parents: n.parents ?? [],
        children: children(name),
        retries: n.retries ?? 0,
        backoffMs: n.backoffMs ?? 1000,
        leaseOwner: n.leaseOwner ?? null,
        lostAttempts: n.lostAttempts ?? 0,
      }),
    ),
  };
}

const nodeWrites = (commands: Command[]) =>
  commands.flatMap((c) => (c.type === 'SET_NODE' ? [`${c.node}:${statusKey(c.from)}>${statusKey(c.to)}`] : []));
const statusKey = (code: number) => (Object.keys(S) as (keyof typeof S)[]).find((k) => S[k] === code)!;
const runWrite = (commands: Command[]) => commands.find((c) => c.type === 'SET_RUN') as Extract<Command, { type: 'SET_RUN' }> | undefined;
const enqueued = (commands: Command[]) => commands.flatMap((c) => (c.type === 'ENQUEUE' ? [`${c.node}#${c.attempt}`] : []));

describe('decide: a claim writes its node alone, so a node outcome starts a run still READY', () => {
  it('its first success that does not end it moves it READY → RUNNING, in the decision\'s own write', () => {
    const commands = decide(run(S.READY, { a: { status: S.RUNNING }, b: { status: S.WAIT, parents: ['a'] } }), { type: 'NODE_SUCCEEDED', node: 'a', attempt: 1, outcome: { result: '' } }, NOW);
    expect(runWrite(commands)).toMatchObject({ from: S.READY, to: S.RUNNING });
  });

  it('a success that ends it moves it READY → SUCCESS in one write, walking through RUNNING', () => {
    const commands = decide(run(S.READY, { a: { status: S.RUNNING } }), { type: 'NODE_SUCCEEDED', node: 'a', attempt: 1, outcome: { result: '' } }, NOW);
    expect(commands.filter((c) => c.type === 'SET_RUN')).toEqual([expect.objectContaining({ from: S.READY, to: S.SUCCESS })]);
    expect(shortestPath(S.READY, S.SUCCESS)).toEqual([S.READY, S.RUNNING, S.SUCCESS]);
  });

  it('a failure to be retried starts it too; a run RUNNING already is not written', () => {
    const retried = decide(run(S.READY, { a: { status: S.RUNNING, retries: 1 } }), { type: 'NODE_FAILED', node: 'a', attempt: 1, failure: 'FAIL', outcome: { error: 'x', result: '' } }, NOW);
    expect(runWrite(retried)).toMatchObject({ from: S.READY, to: S.RUNNING });
    const running = decide(run(S.RUNNING, { a: { status: S.RUNNING }, b: { status: S.WAIT, parents: ['a'] } }), { type: 'NODE_SUCCEEDED', node: 'a', attempt: 1, outcome: { result: '' } }, NOW);
    expect(runWrite(running)).toBeUndefined();
  });
});

describe('decide: a node succeeds', () => {
  it('readies the next node of a chain and dispatches it', () => {
    const commands = decide(
      run(S.RUNNING, { a: { status: S.RUNNING }, b: { status: S.WAIT, parents: ['a'] } }),
      { type: 'NODE_SUCCEEDED', node: 'a', attempt: 1, outcome: { result: 'Completed.\n' } },
      NOW,
    );
    expect(commands).toContainEqual(expect.objectContaining({ type: 'SET_NODE', node: 'a', from: S.RUNNING, to: S.SUCCESS }));
    expect(commands).toContainEqual(expect.objectContaining({ type: 'SET_NODE', node: 'b', from: S.WAIT, to: S.READY }));
    expect(enqueued(commands)).toEqual(['b#1']);
    expect(runWrite(commands)).toBeUndefined();
  });

  it('does not release a join until every parent succeeded', () => {
    const state = run(S.RUNNING, {
      l: { status: S.RUNNING },
      r: { status: S.RUNNING },
      join: { status: S.WAIT, parents: ['l', 'r'] },
    });
    expect(enqueued(decide(state, { type: 'NODE_SUCCEEDED', node: 'l', attempt: 1, outcome: {} }, NOW))).toEqual([]);
  });

  it('releases a join when its last parent succeeds', () => {
    const state = run(S.RUNNING, {
      l: { status: S.SUCCESS },
      r: { status: S.RUNNING },
      join: { status: S.WAIT, parents: ['l', 'r'] },
    });
    expect(enqueued(decide(state, { type: 'NODE_SUCCEEDED', node: 'r', attempt: 1, outcome: {} }, NOW))).toEqual(['join#1']);
  });

  it('ends the run SUCCESS when the last node succeeds', () => {
    const commands = decide(
      run(S.RUNNING, { a: { status: S.SUCCESS }, b: { status: S.RUNNING, parents: ['a'] } }),
      { type: 'NODE_SUCCEEDED', node: 'b', attempt: 1, outcome: {} },
      NOW,
    );
    expect(runWrite(commands)).toMatchObject({ from: S.RUNNING, to: S.SUCCESS });
  });

  it('ignores a report about an attempt that is no longer current', () => {
    const state = run(S.RUNNING, { a: { status: S.RUNNING, attempt: 2 } });
    expect(decide(state, { type: 'NODE_SUCCEEDED', node: 'a', attempt: 1, outcome: {} }, NOW)).toEqual([]);
  });

  it('takes the success of an attempt that ran unclaimed while its node is still READY on it: READY → RUNNING → SUCCESS in one write', () => {
    const started = new Date('2025-12-31T23:59:59Z');
    const state = run(S.RUNNING, { a: { status: S.READY }, b: { status: S.WAIT, parents: ['a'] } });
    const commands = decide(state, { type: 'NODE_SUCCEEDED', node: 'a', attempt: 1, unclaimedStart: started, leaseOwner: 'w1', outcome: {} }, NOW);
    expect(nodeWrites(commands)).toEqual(['a:READY>SUCCESS', 'b:WAIT>READY']);
    // the write checks READY on the attempt, not a lease: a node run unclaimed has none
    expect(commands[0]).toMatchObject({ startedAt: started, attempt: 1 });
    expect(commands[0]).not.toHaveProperty('leaseOwner');
    expect(enqueued(commands)).toEqual(['b#1']);
  });

  it('ignores the success of an attempt run unclaimed once its node left READY (cancelled, taken by another worker) or moved on', () => {
    const report = { type: 'NODE_SUCCEEDED', node: 'a', attempt: 1, unclaimedStart: NOW, outcome: {} } as const;
    expect(decide(run(S.CANCEL, { a: { status: S.CANCEL } }), report, NOW)).toEqual([]);
    expect(decide(run(S.RUNNING, { a: { status: S.RUNNING, leaseOwner: 'w2' } }), report, NOW)).toEqual([]);
    expect(decide(run(S.RUNNING, { a: { status: S.READY, attempt: 2 } }), report, NOW)).toEqual([]);
  });

  it('ignores a second report of the same attempt', () => {
    const state = run(S.RUNNING, { a: { status: S.SUCCESS } });
    expect(decide(state, { type: 'NODE_SUCCEEDED', node: 'a', attempt: 1, outcome: {} }, NOW)).toEqual([]);
  });

  it('parks children in SUSPEND when the run is suspended', () => {
    const commands = decide(
      run(S.SUSPEND, { a: { status: S.RUNNING }, b: { status: S.WAIT, parents: ['a'] } }),
      { type: 'NODE_SUCCEEDED', node: 'a', attempt: 1, outcome: {} },
      NOW,
    );
    expect(nodeWrites(commands)).toContain('b:WAIT>SUSPEND');
    expect(enqueued(commands)).toEqual([]);
  });
});

describe('decide: a node fails', () => {
  it('retries with exponential backoff while attempts remain', () => {
    const commands = decide(
      run(S.RUNNING, { a: { status: S.RUNNING, attempt: 2, retries: 3, backoffMs: 100 } }),
      { type: 'NODE_FAILED', node: 'a', attempt: 2, failure: 'FAIL', outcome: { error: 'boom' } },
      NOW,
    );
    expect(commands).toContainEqual(
      expect.objectContaining({ type: 'SET_NODE', node: 'a', from: S.RUNNING, to: S.READY, nextAttempt: 3 }),
    );
    const enqueue = commands.find((c) => c.type === 'ENQUEUE') as Extract<Command, { type: 'ENQUEUE' }>;
    expect(enqueue).toMatchObject({ node: 'a', attempt: 3 });
    expect(enqueue.runAt.getTime() - NOW.getTime()).toBe(200);
  });

  it('fails the run and cancels what can no longer run once retries are spent', () => {
    const commands = decide(
      run(S.RUNNING, {
        a: { status: S.RUNNING, retries: 1, attempt: 2 },
        b: { status: S.WAIT, parents: ['a'] },
        c: { status: S.WAIT, parents: ['b'] },
      }),
      { type: 'NODE_FAILED', node: 'a', attempt: 2, failure: 'FAIL', outcome: { error: 'boom' } },
      NOW,
    );
    expect(nodeWrites(commands)).toEqual(['a:RUNNING>FAIL', 'b:WAIT>CANCEL', 'c:WAIT>CANCEL']);
    expect(runWrite(commands)).toMatchObject({ from: S.RUNNING, to: S.FAIL });
    expect(enqueued(commands)).toEqual([]);
  });

  it('ends the run TIMEOUT when a node timed out', () => {
    const commands = decide(
      run(S.RUNNING, { a: { status: S.RUNNING } }),
      { type: 'NODE_FAILED', node: 'a', attempt: 1, failure: 'TIMEOUT', outcome: {} },
      NOW,
    );
    expect(runWrite(commands)).toMatchObject({ to: S.TIMEOUT });
  });

  it('lets running siblings finish before the run ends', () => {
    const commands = decide(
      run(S.RUNNING, { a: { status: S.RUNNING }, b: { status: S.RUNNING } }),
      { type: 'NODE_FAILED', node: 'a', attempt: 1, failure: 'FAIL', outcome: {} },
      NOW,
    );
    expect(runWrite(commands)).toBeUndefined();
  });

  it('does not retry once cancel was requested', () => {
    const commands = decide(
      run(S.RUNNING, { a: { status: S.RUNNING, retries: 5 } }, true),
      { type: 'NODE_FAILED', node: 'a', attempt: 1, failure: 'FAIL', outcome: {} },
      NOW,
    );
    expect(enqueued(commands)).toEqual([]);
    expect(runWrite(commands)).toMatchObject({ to: S.FAIL });
  });
});

describe('decide: cancel', () => {
  it('cancels pending nodes and aborts running ones, leaving the run to end when they stop', () => {
    const commands = decide(
      run(S.RUNNING, { a: { status: S.RUNNING }, b: { status: S.WAIT, parents: ['a'] } }),
      { type: 'CANCEL' },
      NOW,
    );
    expect(commands).toContainEqual({ type: 'REQUEST_CANCEL' });
    expect(nodeWrites(commands)).toEqual(['b:WAIT>CANCEL']);
    expect(commands).toContainEqual({ type: 'ABORT', node: 'a', attempt: 1 });
    expect(runWrite(commands)).toBeUndefined();
  });

  it('ends the run CANCEL at once when nothing is running', () => {
    const commands = decide(run(S.READY, { a: { status: S.READY } }), { type: 'CANCEL' }, NOW);
    expect(nodeWrites(commands)).toEqual(['a:READY>CANCEL']);
    expect(runWrite(commands)).toMatchObject({ from: S.READY, to: S.CANCEL });
  });

  it('ends the run CANCEL when the aborted node acknowledges', () => {
    const commands = decide(
      run(S.RUNNING, { a: { status: S.RUNNING }, b: { status: S.CANCEL, parents: ['a'] } }, true),
      { type: 'NODE_CANCELED', node: 'a', attempt: 1, outcome: {} },
      NOW,
    );
    expect(runWrite(commands)).toMatchObject({ to: S.CANCEL });
  });

  it('refuses to cancel a finished run', () => {
    expect(() => decide(run(S.SUCCESS, { a: { status: S.SUCCESS } }), { type: 'CANCEL' }, NOW)).toThrow(InvalidTransition);
  });
});

describe('decide: suspend and resume', () => {
  it('suspends queued nodes and the run', () => {
    const commands = decide(run(S.RUNNING, { a: { status: S.RUNNING }, b: { status: S.READY } }), { type: 'SUSPEND' }, NOW);
    expect(runWrite(commands)).toMatchObject({ from: S.RUNNING, to: S.SUSPEND });
    expect(nodeWrites(commands)).toEqual(['b:READY>SUSPEND']);
  });

  it('refuses to suspend a suspended or finished run', () => {
    expect(() => decide(run(S.SUSPEND, { a: { status: S.SUSPEND } }), { type: 'SUSPEND' }, NOW)).toThrow(InvalidTransition);
    expect(() => decide(run(S.FAIL, { a: { status: S.FAIL } }), { type: 'SUSPEND' }, NOW)).toThrow(InvalidTransition);
  });

  it('resumes suspended nodes and dispatches them', () => {
    const commands = decide(run(S.SUSPEND, { a: { status: S.SUCCESS }, b: { status: S.SUSPEND, parents: ['a'] } }), { type: 'RESUME' }, NOW);
    expect(runWrite(commands)).toMatchObject({ from: S.SUSPEND, to: S.READY });
    expect(nodeWrites(commands)).toEqual(['b:SUSPEND>READY']);
    expect(enqueued(commands)).toEqual(['b#1']);
  });

  it('refuses to resume a run that is not suspended', () => {
    expect(() => decide(run(S.RUNNING, { a: { status: S.RUNNING } }), { type: 'RESUME' }, NOW)).toThrow(InvalidTransition);
  });

  it('ends a suspended run whose last running node failed, through a legal walk', () => {
    const commands = decide(
      run(S.SUSPEND, { a: { status: S.RUNNING }, b: { status: S.WAIT, parents: ['a'] } }),
      { type: 'NODE_FAILED', node: 'a', attempt: 1, failure: 'FAIL', outcome: {} },
      NOW,
    );
    expect(runWrite(commands)).toMatchObject({ from: S.SUSPEND, to: S.FAIL });
  });
});

describe('decide: rerun', () => {
  it('reruns from the failed node, keeping successful nodes and bumping attempts', () => {
    const commands = decide(
      run(S.FAIL, {
        a: { status: S.SUCCESS },
        b: { status: S.FAIL, parents: ['a'] },
        c: { status: S.CANCEL, parents: ['b'] },
      }),
      { type: 'RERUN' },
      NOW,
    );
    expect(runWrite(commands)).toMatchObject({ from: S.FAIL, to: S.READY, cancelRequested: false });
    expect(commands).toContainEqual(expect.objectContaining({ node: 'b', from: S.FAIL, to: S.READY, nextAttempt: 2 }));
    expect(commands).toContainEqual(expect.objectContaining({ node: 'c', from: S.CANCEL, to: S.WAIT, nextAttempt: 2 }));
    expect(nodeWrites(commands).some((w) => w.startsWith('a:'))).toBe(false);
    expect(enqueued(commands)).toEqual(['b#2']);
  });

  it('refuses to rerun a successful or a live run', () => {
    expect(() => decide(run(S.SUCCESS, { a: { status: S.SUCCESS } }), { type: 'RERUN' }, NOW)).toThrow(InvalidTransition);
    expect(() => decide(run(S.RUNNING, { a: { status: S.RUNNING } }), { type: 'RERUN' }, NOW)).toThrow(InvalidTransition);
  });
});

describe('decide: skip a node', () => {
  it('skips a waiting node and releases its children as if it succeeded', () => {
    const commands = decide(
      run(S.RUNNING, {
        a: { status: S.RUNNING },
        b: { status: S.WAIT },
        c: { status: S.WAIT, parents: ['b'] },
      }),
      { type: 'SKIP_NODE', node: 'b' },
      NOW,
    );
    expect(nodeWrites(commands)).toEqual(['b:WAIT>SKIP', 'c:WAIT>READY']);
    expect(enqueued(commands)).toEqual(['c#1']);
  });

  it('refuses to skip a running node', () => {
    expect(() => decide(run(S.RUNNING, { a: { status: S.RUNNING } }), { type: 'SKIP_NODE', node: 'a' }, NOW)).toThrow(
      InvalidTransition,
    );
  });

  it('ends the run SUCCESS when the skipped node was the last one', () => {
    const commands = decide(
      run(S.RUNNING, { a: { status: S.SUCCESS }, b: { status: S.WAIT } }),
      { type: 'SKIP_NODE', node: 'b' },
      NOW,
    );
    expect(runWrite(commands)).toMatchObject({ to: S.SUCCESS });
  });
});

describe('decide: leases', () => {
  const lost = (leaseOwner = 'reconciler', lostAttemptsAllowed = 3) => ({ type: 'LEASE_EXPIRED', node: 'a', attempt: 1, leaseOwner, lostAttemptsAllowed }) as const;

  it('re-runs a node whose lease expired at once, as a lost attempt that leaves its retries alone', () => {
    const commands = decide(run(S.RUNNING, { a: { status: S.RUNNING, retries: 0, backoffMs: 5000, leaseOwner: 'reconciler' } }), lost(), NOW);
    expect(commands).toContainEqual(
      expect.objectContaining({
        type: 'SET_NODE', node: 'a', from: S.RUNNING, to: S.READY, nextAttempt: 2, ended: S.INTERNAL_ERROR, lost: true, leaseOwner: 'reconciler',
      }),
    );
    expect(commands).toContainEqual({ type: 'ENQUEUE', node: 'a', attempt: 2, runAt: NOW });
  });

  it('counts only the handler’s own attempts against its retries', () => {
    // attempt 3, of which 2 were lost: the handler failed its first attempt and has one retry
    const state = run(S.RUNNING, { a: { status: S.RUNNING, attempt: 3, lostAttempts: 2, retries: 1, backoffMs: 100, leaseOwner: 'w' } });
    const commands = decide(state, { type: 'NODE_FAILED', node: 'a', attempt: 3, leaseOwner: 'w', failure: 'FAIL', outcome: { error: 'boom' } }, NOW);
    expect(commands).toContainEqual(expect.objectContaining({ type: 'SET_NODE', node: 'a', to: S.READY, nextAttempt: 4, ended: S.FAIL }));
    expect(commands).toContainEqual({ type: 'ENQUEUE', node: 'a', attempt: 4, runAt: new Date(NOW.getTime() + 100) });
  });

  it('fails a node that lost more attempts than allowed as INTERNAL_ERROR, saying why, and the run with it', () => {
    const commands = decide(
      run(S.RUNNING, { a: { status: S.RUNNING, attempt: 4, lostAttempts: 3, retries: 5, leaseOwner: 'reconciler' }, b: { status: S.WAIT, parents: ['a'] } }),
      { ...lost(), attempt: 4 },
      NOW,
    );
    expect(nodeWrites(commands)).toEqual(['a:RUNNING>INTERNAL_ERROR', 'b:WAIT>CANCEL']);
    const failed = commands.find((c) => c.type === 'SET_NODE' && c.node === 'a');
    expect(failed?.type === 'SET_NODE' && failed.outcome?.error).toMatch(/4 attempts lost, more than the 3 allowed/);
    expect(runWrite(commands)).toMatchObject({ to: S.INTERNAL_ERROR });
  });

  it('cancels a node whose lease expired after cancel was requested, ending the run CANCEL', () => {
    const commands = decide(run(S.RUNNING, { a: { status: S.RUNNING, retries: 3, leaseOwner: 'reconciler' } }, true), lost(), NOW);
    expect(nodeWrites(commands)).toEqual(['a:RUNNING>CANCEL']);
    expect(runWrite(commands)).toMatchObject({ to: S.CANCEL });
  });

  it('ignores a completion reported by a worker whose lease was taken over', () => {
    const state = run(S.RUNNING, { a: { status: S.RUNNING, leaseOwner: 'reconciler' } });
    expect(decide(state, { type: 'NODE_SUCCEEDED', node: 'a', attempt: 1, leaseOwner: 'worker-1', outcome: {} }, NOW)).toEqual([]);
    expect(decide(state, lost('another-reconciler'), NOW)).toEqual([]);
  });

  it('guards the completion write with the reporter\'s lease', () => {
    const state = run(S.RUNNING, { a: { status: S.RUNNING, leaseOwner: 'worker-1' } });
    const commands = decide(state, { type: 'NODE_SUCCEEDED', node: 'a', attempt: 1, leaseOwner: 'worker-1', outcome: {} }, NOW);
    expect(commands).toContainEqual(expect.objectContaining({ type: 'SET_NODE', node: 'a', to: S.SUCCESS, leaseOwner: 'worker-1' }));
  });
});

describe('decide: settle', () => {
  it('closes a run whose nodes are all terminal', () => {
    const commands = decide(run(S.RUNNING, { a: { status: S.SUCCESS }, b: { status: S.FAIL, parents: ['a'] } }), { type: 'SETTLE' }, NOW);
    expect(commands).toEqual([{ type: 'SET_RUN', from: S.RUNNING, to: S.FAIL }]);
  });

  it('leaves a run with live nodes, and a finished run, alone', () => {
    expect(decide(run(S.RUNNING, { a: { status: S.RUNNING } }), { type: 'SETTLE' }, NOW)).toEqual([]);
    expect(decide(run(S.SUCCESS, { a: { status: S.SUCCESS } }), { type: 'SETTLE' }, NOW)).toEqual([]);
  });
});

describe('decide: every command is a legal transition', () => {
  it('never emits a node write the state machine forbids', () => {
    // Exhaust single-node runs over every status and every event.
    const events = [
      { type: 'CANCEL' },
      { type: 'SUSPEND' },
      { type: 'RESUME' },
      { type: 'RERUN' },
      { type: 'SKIP_NODE', node: 'a' },
      { type: 'NODE_SUCCEEDED', node: 'a', attempt: 1, outcome: {} },
      { type: 'NODE_FAILED', node: 'a', attempt: 1, failure: 'FAIL', outcome: {} },
      { type: 'NODE_CANCELED', node: 'a', attempt: 1, outcome: {} },
      { type: 'LEASE_EXPIRED', node: 'a', attempt: 1, leaseOwner: 'reconciler', lostAttemptsAllowed: 3 },
      { type: 'LEASE_EXPIRED', node: 'a', attempt: 1, leaseOwner: 'reconciler', lostAttemptsAllowed: 0 },
      { type: 'SETTLE' },
    ] as const;
    let decided = 0;
    for (const runStatus of Object.values(S)) {
      for (const nodeStatus of Object.values(S)) {
        for (const event of events) {
          try {
            const commands = decide(run(runStatus, { a: { status: nodeStatus, leaseOwner: 'reconciler' } }), event, NOW);
            decided++;
            for (const c of commands) {
              if (c.type === 'SET_NODE') expect(isLegalNodeWrite(c), `${statusKey(c.from)}>${statusKey(c.to)}`).toBe(true);
              if (c.type === 'SET_RUN') expect(shortestPath(c.from, c.to)).toBeDefined();
            }
          } catch (error) {
            expect(error).toBeInstanceOf(InvalidTransition);
          }
        }
      }
    }
    expect(decided).toBeGreaterThan(100);
  });
});
