import { Engine } from '@flowline/engine';
import { freshTestEngine, type TestDatabase, type TestEngine } from '@flowline/engine/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { concurrencyKeyOf } from '../src/core/concurrencySpec.ts';
import { admitRuns } from '../src/storage/admitRuns.ts';
import { inTransaction } from '../src/storage/database.ts';

/**
 * Admission under races: many admissions at once, on separate connections,
 * never let more runs of a key in than its limit, and a run's end gives its
 * slot back in the statement that ends it. No worker runs anything here: the
 * runs admitted stay admitted until the test ends them.
 */
let database: TestDatabase;
let fixture: TestEngine;
let engine: Engine;

beforeAll(async () => {
  ({ database, engine } = fixture = await freshTestEngine());
  await engine.applyDefinition({ name: 'Limited', concurrency: { limit: 3, key: 'k' }, nodes: [{ name: 'a', type: 'noop' }, { name: 'b', type: 'noop', dependsOn: ['a'] }] });
});

afterAll(() => fixture.close());

const admittedOf = async (key: string) =>
  (await database.db.pool.query<{ run_id: string }>(`SELECT run_id FROM run_admissions WHERE key = $1 AND admitted_at IS NOT NULL ORDER BY seq`, [key])).rows.map((r) => r.run_id);
const heldOf = async (key: string) => (await database.db.pool.query<{ held: number }>(`SELECT held FROM concurrency_slots WHERE key = $1`, [key])).rows[0]!.held;

describe('admitting runs', () => {
  it('20 admissions at once after slots free admit exactly as many runs as slots, first started first', async () => {
    const runs = [];
    for (let i = 0; i < 12; i++) runs.push((await engine.startRun({ workflow: 'Limited', input: { k: 'race' } })).run);
    // The starts admitted the first three; their roots are READY, the rest of the runs' roots WAIT.
    expect(await admittedOf('race')).toEqual(runs.slice(0, 3).map((r) => r.uuid));
    for (let round = 1; round <= 3; round++) {
      // The admitted runs end (as a decision would end them): the trigger gives their slots back.
      await database.db.pool.query(`UPDATE workflow_runs SET status = 1, end_time = now() WHERE id = ANY($1::uuid[])`, [await admittedOf('race')]);
      expect(await heldOf('race')).toBe(0);
      const passes = await Promise.all(Array.from({ length: 20 }, () => admitRuns(database.db.pool, new Date())));
      expect(passes.flat()).toHaveLength(3);
      expect(await heldOf('race')).toBe(3);
      expect(await admittedOf('race')).toEqual(runs.slice(3 * round, 3 * round + 3).map((r) => r.uuid));
      const roots = await database.db.pool.query<{ status: number }>(`SELECT status FROM node_runs WHERE run_id = ANY($1::uuid[]) AND name = 'a'`, [await admittedOf('race')]);
      expect(roots.rows.map((r) => r.status)).toEqual([6, 6, 6]);
    }
  });

  it('a run started inside a caller\'s transaction (a schedule\'s firing, a backfill) waits its turn like any other', async () => {
    const pending = await inTransaction(database.db, async (client) => [
      await engine.startRunInTransaction(client, { workflow: 'Limited', input: { k: 'tx' } }),
      await engine.startRunInTransaction(client, { workflow: 'Limited', input: { k: 'tx' } }),
      await engine.startRunInTransaction(client, { workflow: 'Limited', input: { k: 'tx' } }),
      await engine.startRunInTransaction(client, { workflow: 'Limited', input: { k: 'tx' } }),
    ]);
    expect(await admittedOf('tx')).toEqual([]);
    await engine.afterStartCommitted(pending);
    expect(await admittedOf('tx')).toEqual(pending.slice(0, 3).map((p) => p.id));
    expect(await heldOf('tx')).toBe(3);
  });

  it('a key is a path into the input: its value as text, or one shared group when the input has nothing there', () => {
    expect(concurrencyKeyOf({ limit: 1, key: 'customer.id' }, { customer: { id: 'c1' } })).toBe('c1');
    expect(concurrencyKeyOf({ limit: 1, key: 'customer.id' }, { customer: { id: 42 } })).toBe('42');
    expect(concurrencyKeyOf({ limit: 1, key: 'regions.0' }, { regions: ['eu', 'us'] })).toBe('eu');
    expect(concurrencyKeyOf({ limit: 1, key: 'customer.id' }, { customer: {} })).toBe('');
    expect(concurrencyKeyOf({ limit: 1 }, { customer: { id: 'c1' } })).toBe('');
  });
});
