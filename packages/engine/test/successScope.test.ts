import { Engine, Status, statusName, type RunEvent, type RunState } from '@flowline/engine';
import { freshTestEngine, type TestDatabase, type TestEngine } from '@flowline/engine/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { decideInTurn } from '../src/core/decideInTurn.ts';
import { DefinitionCache } from '../src/runtime/definitionCache.ts';
import { loadDecisionStates } from '../src/runtime/systems/decisionStates.ts';
import { KnownRunStates } from '../src/runtime/knownRunStates.ts';
import { runStateFromRows } from '../src/core/runStateFromRows.ts';
import { inTransaction } from '../src/storage/database.ts';
import { lockRun } from '../src/storage/lockRun.ts';

/**
 * A node's success is decided on its neighbourhood, not the whole run. These
 * cases put a run in a given state and check that decide answers the same on
 * the neighbourhood as on every node — the neighbourhood read from Postgres,
 * and the one taken from what a process knows of the run (KnownRunStates).
 */
let database: TestDatabase;
let fixture: TestEngine;
let engine: Engine;

// root → m0..m4 → join, and a side branch root → side
const MIDDLE = ['m0', 'm1', 'm2', 'm3', 'm4'];
const S = Status;

beforeAll(async () => {
  ({ database, engine } = fixture = await freshTestEngine());
  await engine.applyDefinition({
    name: 'fan_in',
    nodes: [
      { name: 'root', type: 'noop' },
      ...MIDDLE.map((name) => ({ name, type: 'noop', dependsOn: ['root'] })),
      { name: 'side', type: 'noop', dependsOn: ['root'] },
      { name: 'join', type: 'noop', dependsOn: MIDDLE },
    ],
  });
});

afterAll(() => fixture.close());

/**
 * Starts a run, forces the given node statuses (others as started), and decides
 * the successes of `nodes`, in order, both ways: on the whole run, and together
 * on their neighbourhoods, as one group-committed batch is.
 */
async function decideBothWays(statuses: Record<string, Status>, ...nodes: string[]) {
  const { run } = await engine.startRun({ workflow: 'fan_in' });
  await database.db.pool.query(`UPDATE workflow_runs SET status = ${S.RUNNING} WHERE id = $1`, [run.uuid]);
  for (const [name, status] of Object.entries(statuses)) {
    await database.db.pool.query(`UPDATE node_runs SET status = $3 WHERE run_id = $1 AND name = $2`, [run.uuid, name, status]);
  }
  const events = nodes.map((node): RunEvent => ({ type: 'NODE_SUCCEEDED', node, attempt: 1, outcome: { output: null } }));
  const now = new Date('2026-01-01T00:00:00Z');
  /** Each event decided on the state the ones before it leave, as Engine.decideTogether does. */
  const decideAll = (state: RunState) => decideInTurn(state, events, now).commands.flat();
  return inTransaction(database.db, async (client) => {
    const locked = (await lockRun(client, run.uuid))!;
    const dag = await engine.definitionDag(locked.definitionId, locked.definitionVersion);
    const whole = decideAll(runStateFromRows(locked, dag));
    const states = await loadDecisionStates(client, events.map((event) => ({ runUuid: run.uuid, event })), new DefinitionCache(database.db));
    const scoped = decideAll(states.get(run.uuid)!.state);
    const { nodes: rows, ...runRow } = locked;
    const known = new KnownRunStates();
    known.record(runRow, dag, rows, runRow.decisionSeq);
    // A report the known rows do not match (a stale one) is not decided on them: it is read afresh.
    const knownState = known.successState(run.uuid, nodes.map((node) => ({ node, attempt: 1 })));
    const fromKnown = knownState ? decideAll(knownState.state) : 'read afresh';
    return { whole, scoped, fromKnown };
  });
}

const allMiddle = (status: Status) => Object.fromEntries(MIDDLE.map((m) => [m, status]));

describe('a success decided on the node’s neighbourhood', () => {
  const cases: [string, Record<string, Status>, string][] = [
    ['the root releases every child', { root: S.RUNNING }, 'root'],
    ['a middle node leaves the join waiting while siblings run', { root: S.SUCCESS, ...allMiddle(S.RUNNING), side: S.RUNNING }, 'm2'],
    ['the last middle node releases the join', { root: S.SUCCESS, ...allMiddle(S.SUCCESS), m4: S.RUNNING, side: S.RUNNING }, 'm4'],
    ['a skipped sibling counts as satisfied', { root: S.SUCCESS, ...allMiddle(S.SUCCESS), m1: S.SKIP, m4: S.RUNNING, side: S.SUCCESS }, 'm4'],
    ['a failed sibling keeps the join waiting', { root: S.SUCCESS, ...allMiddle(S.RUNNING), m1: S.FAIL, side: S.SUCCESS }, 'm0'],
    ['the last node ends the run in success', { root: S.SUCCESS, ...allMiddle(S.SUCCESS), side: S.SUCCESS, join: S.RUNNING }, 'join'],
    ['the last node ends the run with the first failure', { root: S.SUCCESS, ...allMiddle(S.SUCCESS), m3: S.TIMEOUT, side: S.FAIL, join: S.CANCEL, m4: S.RUNNING }, 'm4'],
    ['the last node ends the run cancelled', { root: S.SUCCESS, ...allMiddle(S.SUCCESS), side: S.CANCEL, join: S.RUNNING }, 'join'],
    ['a stale report changes nothing', { root: S.SUCCESS, ...allMiddle(S.SUCCESS), side: S.SUCCESS }, 'm0'],
    ['two middle nodes together, siblings still running', { root: S.SUCCESS, ...allMiddle(S.RUNNING), side: S.RUNNING }, 'm1,m3'],
    ['the last two middle nodes together release the join', { root: S.SUCCESS, ...allMiddle(S.SUCCESS), m0: S.RUNNING, m4: S.RUNNING, side: S.SUCCESS }, 'm4,m0'],
    ['every middle node and the side together', { root: S.SUCCESS, ...allMiddle(S.RUNNING), side: S.RUNNING }, 'm0,m1,m2,m3,m4,side'],
    ['the last two nodes together end the run', { root: S.SUCCESS, ...allMiddle(S.SUCCESS), side: S.RUNNING, join: S.RUNNING }, 'join,side'],
    ['the last two nodes together end the run with a failure', { root: S.SUCCESS, ...allMiddle(S.SUCCESS), m2: S.FAIL, side: S.RUNNING, join: S.CANCEL, m4: S.RUNNING }, 'side,m4'],
    ['a duplicate report in the same batch changes nothing more', { root: S.SUCCESS, ...allMiddle(S.SUCCESS), m4: S.RUNNING, side: S.SUCCESS }, 'm4,m4'],
  ];
  for (const [name, statuses, nodes] of cases) {
    it(name, async () => {
      const { whole, scoped, fromKnown } = await decideBothWays(statuses, ...nodes.split(','));
      expect(scoped).toEqual(whole);
      expect(fromKnown).toEqual(name === 'a stale report changes nothing' ? 'read afresh' : whole);
    });
  }

  it('really is decided: the join is released and the run ends as the whole run says', async () => {
    const released = await decideBothWays({ root: S.SUCCESS, ...allMiddle(S.SUCCESS), m4: S.RUNNING, side: S.RUNNING }, 'm4');
    expect(released.scoped.filter((c) => c.type === 'ENQUEUE').map((c) => c.type === 'ENQUEUE' && c.node)).toEqual(['join']);
    const failed = await decideBothWays({ root: S.SUCCESS, ...allMiddle(S.SUCCESS), m3: S.TIMEOUT, side: S.FAIL, join: S.CANCEL, m4: S.RUNNING }, 'm4');
    const end = failed.scoped.find((c) => c.type === 'SET_RUN');
    expect(end?.type === 'SET_RUN' && statusName(end.to)).toBe('TIMEOUT');
  });
});
