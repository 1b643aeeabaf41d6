import { Engine, Status, type Command, type RunEvent } from '@flowline/engine';
import { freshTestEngine, type TestDatabase, type TestEngine } from '@flowline/engine/testing';
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { compileDag, type Dag } from '../src/core/dag.ts';
import { decideInTurn } from '../src/core/decideInTurn.ts';
import type { NodeStateRow, RunState } from '../src/core/runState.ts';
import { runStateFromRows } from '../src/core/runStateFromRows.ts';
import { WorkflowSpecSchema } from '../src/core/spec.ts';
import { DefinitionCache } from '../src/runtime/definitionCache.ts';
import { KnownRunStates } from '../src/runtime/knownRunStates.ts';
import { loadDecisionStates } from '../src/runtime/systems/decisionStates.ts';
import { inTransaction } from '../src/storage/database.ts';
import type { LockedRunRow } from '../src/storage/lockRun.ts';

/**
 * The success-scope rule (core/successScope.ts) is applied in three places —
 * the SQL read (loadSuccessScopes), the read-free cache (KnownRunStates) —
 * and checked here against the third, every row of the run: over generated
 * DAGs, node statuses and batches of successes (fresh, stale and repeated),
 * the read scope always decides exactly as the whole run does, and the cache
 * either does too or decides on a row the write would find moved (so the
 * write is refused as stale and the batch decided again on a read).
 */
let database: TestDatabase;
let fixture: TestEngine;
let engine: Engine;
let definitions: DefinitionCache;
let cases = 0;

beforeAll(async () => {
  ({ database, engine } = fixture = await freshTestEngine());
  definitions = new DefinitionCache(database.db);
});

afterAll(() => fixture.close());

const S = Status;
/** Statuses a node may be found in while its run goes on, weighted towards those a success meets most. */
const NODE_STATUSES = [S.WAIT, S.WAIT, S.WAIT, S.READY, S.RUNNING, S.RUNNING, S.SUCCESS, S.SUCCESS, S.SKIP, S.FAIL, S.TIMEOUT, S.INTERNAL_ERROR, S.CANCEL];

interface Case {
  /** each node's parents, by index; a node depends only on nodes before it */
  readonly parents: readonly (readonly number[])[];
  readonly statuses: readonly Status[];
  /** the nodes reported to have succeeded, in order; `fresh` ones are RUNNING whatever `statuses` says */
  readonly successes: readonly { readonly node: number; readonly fresh: boolean }[];
  readonly runStatus: Status;
  readonly cancelRequested: boolean;
  /** which rows the process knows (the cache's knowledge) */
  readonly known: readonly boolean[];
  /** which WAIT nodes an operator asked to skip before they were reached */
  readonly skips: readonly boolean[];
}

const caseArbitrary: fc.Arbitrary<Case> = fc.integer({ min: 2, max: 9 }).chain((n) =>
  fc.record({
    parents: fc.tuple(...Array.from({ length: n }, (_, j) => fc.subarray(Array.from({ length: j }, (_, i) => i)))),
    statuses: fc.array(fc.constantFrom(...NODE_STATUSES), { minLength: n, maxLength: n }),
    successes: fc.array(fc.record({ node: fc.integer({ min: 0, max: n - 1 }), fresh: fc.boolean() }), { minLength: 1, maxLength: 4 }),
    runStatus: fc.constantFrom(S.RUNNING, S.RUNNING, S.READY),
    cancelRequested: fc.constantFrom(false, false, false, true),
    known: fc.oneof(fc.constant(Array.from({ length: n }, () => true)), fc.array(fc.boolean(), { minLength: n, maxLength: n })),
    skips: fc.array(fc.constantFrom(false, false, true), { minLength: n, maxLength: n }),
  }),
);

/** The outcome of deciding the events on a state: the commands of each event, or the error. */
function outcome(state: RunState, events: readonly RunEvent[]): Command[][] | string {
  try {
    return decideInTurn(state, events, new Date('2026-01-01T00:00:00Z')).commands;
  } catch (error) {
    return String(error);
  }
}

/**
 * Whether a write of these commands would be refused as stale on the true
 * rows: a node or run write whose expected status (or attempt) the row does
 * not have, or a row written twice in one statement (see applyCommands).
 */
function refusedOnTruth(decided: Command[][] | string, rows: ReadonlyMap<string, NodeStateRow>, runStatus: Status): boolean {
  if (typeof decided === 'string') return false;
  const written = new Set<string>();
  for (const command of decided.flat()) {
    if (command.type === 'SET_NODE') {
      const row = rows.get(command.node)!;
      if (written.has(command.node) || row.status !== command.from || row.attempt !== command.attempt) return true;
      written.add(command.node);
    } else if (command.type === 'SET_RUN' && command.from !== runStatus) return true;
  }
  return false;
}

/** Puts a run of the case's DAG in the case's state; answers its id, DAG and rows. */
async function runInState(c: Case): Promise<{ runUuid: string; dag: Dag; rows: NodeStateRow[]; run: LockedRunRow }> {
  const name = `scope_case_${++cases}`;
  const spec = WorkflowSpecSchema.parse({
    name,
    nodes: c.parents.map((parents, j) => ({ name: `n${j}`, type: 'noop', dependsOn: parents.map((i) => `n${i}`) })),
  });
  await engine.applyDefinition(spec);
  const { run } = await engine.startRun({ workflow: name });
  const statuses = c.statuses.map((status, j) => (c.successes.some((s) => s.node === j && s.fresh) ? S.RUNNING : status));
  const names = statuses.map((_, j) => `n${j}`);
  await database.db.pool.query(
    `UPDATE node_runs n SET status = x.status FROM unnest($2::text[], $3::smallint[]) AS x(name, status) WHERE n.run_id = $1 AND n.name = x.name`,
    [run.uuid, names, statuses],
  );
  const skipped = statuses.map((status, j) => status === S.WAIT && c.skips[j]!);
  await database.db.pool.query(
    `UPDATE node_runs n SET skip_requested = x.skip FROM unnest($2::text[], $3::boolean[]) AS x(name, skip) WHERE n.run_id = $1 AND n.name = x.name`,
    [run.uuid, names, skipped],
  );
  await database.db.pool.query(`UPDATE workflow_runs SET status = $2, cancel_requested = $3 WHERE id = $1`, [run.uuid, c.runStatus, c.cancelRequested]);
  const dag = compileDag(spec);
  const byName = new Map(names.map((node, j) => [node, { name: node, status: statuses[j]!, attempt: 1, leaseOwner: null, skipRequested: skipped[j]! }]));
  const locked: LockedRunRow = {
    id: run.uuid,
    status: c.runStatus,
    cancelRequested: c.cancelRequested,
    definitionId: run.definitionId,
    definitionVersion: run.definitionVersion,
    orgId: run.orgId,
    workflow: name,
    traceId: null,
    startTime: new Date(0),
    decisionSeq: 0,
  };
  return { runUuid: run.uuid, dag, rows: dag.order.map((node) => byName.get(node)!), run: locked };
}

describe('the success scope, applied three ways', () => {
  it('the read scope decides as the whole run, and the cache does too or is refused by the write', async () => {
    await fc.assert(
      fc.asyncProperty(caseArbitrary, async (c) => {
        const { runUuid, dag, rows, run } = await runInState(c);
        const events = c.successes.map(({ node }): RunEvent => ({ type: 'NODE_SUCCEEDED', node: `n${node}`, attempt: 1, outcome: { output: null } }));
        const whole = outcome(runStateFromRows({ status: c.runStatus, cancelRequested: c.cancelRequested, nodes: rows }, dag), events);

        const states = await inTransaction(database.db, (client) => loadDecisionStates(client, events.map((event) => ({ runUuid, event })), definitions));
        expect(outcome(states.get(runUuid)!.state, events)).toEqual(whole);

        const known = new KnownRunStates();
        known.record(run, dag, rows.filter((row) => c.known[Number(row.name.slice(1))]), 0);
        const cached = known.successState(runUuid, c.successes.map(({ node }) => ({ node: `n${node}`, attempt: 1 })));
        if (cached) {
          const fromCache = outcome(cached.state, events);
          const truth = new Map(rows.map((row) => [row.name, row]));
          if (JSON.stringify(fromCache) !== JSON.stringify(whole)) expect(refusedOnTruth(fromCache, truth, c.runStatus)).toBe(true);
        }
      }),
      { numRuns: 150, seed: 20261204 },
    );
  });
});
