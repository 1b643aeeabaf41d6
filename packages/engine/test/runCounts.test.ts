import { Engine, RunRetention, Status, type RunFilter } from '@flowline/engine';
import { runFilterSql } from '../src/storage/listRuns.ts';
import { freshTestEngine, type TestDatabase, type TestEngine } from '@flowline/engine/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { compactRunCounts } from '../src/storage/compactRunCounts.ts';

/**
 * The kept run counts behind the paged dialects' totals must equal a COUNT
 * over the runs after any write: each case writes, then compares every group
 * of the kept counts (compacted + pending deltas) with the runs themselves,
 * and the totals countRuns answers with COUNTs of the same filters.
 */
let database: TestDatabase;
let fixture: TestEngine;
let engine: Engine;
const definitionIds: Record<string, number> = {};
const GROUP = 'org_id, definition_id, workflow_name, biz_type, status, cancel_requested';

beforeAll(async () => {
  ({ database, engine } = fixture = await freshTestEngine());
  for (const name of ['nightly_backup', 'weekly_report']) {
    definitionIds[name] = (await engine.applyDefinition({ name, nodes: [{ name: 'step', type: 'noop' }] })).id;
  }
});

afterAll(() => fixture.close());

const sql = (text: string, params: unknown[] = []) => database.db.pool.query(text, params);

/** `count` finished runs of one group in one INSERT … SELECT, as a bulk load writes them. */
async function insertRuns(count: number, o: { workflow?: string; org?: string; bizType?: string; status?: Status } = {}): Promise<void> {
  const workflow = o.workflow ?? 'nightly_backup';
  await sql(
    `INSERT INTO workflow_runs (id, definition_id, definition_version, workflow_name, org_id, biz_id, biz_type, status,
                                trigger_time, created_at, updated_at, end_time)
     SELECT gen_random_uuid(), $2, 1, $3, $4, 'biz-' || g, $5, $6, now(), now(), now(), now() FROM generate_series(1, $1::int) g`,
    [count, definitionIds[workflow], workflow, o.org ?? 'default', o.bizType ?? '', o.status ?? Status.SUCCESS],
  );
}

/** Every group of the kept counts equals the runs' own count, and no kept group is left that has no runs. */
async function expectCountsExact(): Promise<void> {
  const kept = await sql(
    `SELECT ${GROUP}, sum(runs)::int AS runs FROM (SELECT ${GROUP}, runs FROM run_counts UNION ALL SELECT ${GROUP}, runs FROM run_count_deltas) k
      GROUP BY ${GROUP} HAVING sum(runs) <> 0 ORDER BY ${GROUP}`,
  );
  const actual = await sql(
    `SELECT ${GROUP}, count(*)::int AS runs FROM workflow_runs WHERE deleted_at IS NULL GROUP BY ${GROUP} ORDER BY ${GROUP}`,
  );
  expect(kept.rows).toEqual(actual.rows);
}

/** countRuns (kept counts, or its fallback) against a COUNT of the same filter over the runs. */
async function expectTotalsExact(filters: readonly RunFilter[]): Promise<void> {
  for (const filter of filters) {
    const { where, params } = runFilterSql(filter);
    const counted = await sql(`SELECT count(*)::int AS n FROM workflow_runs WHERE ${where}`, params);
    expect(await engine.countRuns(filter), JSON.stringify(filter)).toBe(counted.rows[0].n);
  }
}

const FILTERS: readonly RunFilter[] = [
  { orgId: 'default' },
  { orgId: 'other' },
  { orgId: 'default', workflow: 'weekly_report' },
  { orgId: 'default', workflowContains: 'BACKUP' },
  { orgId: 'default', workflowContains: 'nothing' },
  { orgId: 'default', statuses: [Status.FAIL, Status.TIMEOUT], bizType: 'eu' },
  { orgId: 'default', statuses: [Status.READY, Status.RUNNING], cancelRequested: false },
  { orgId: 'default', statuses: [Status.SUSPEND], orCancelling: true },
  { orgId: 'default', bizId: 'biz-3' },
  { orgId: 'default', createdFrom: new Date(Date.now() - 3_600_000), workflow: 'nightly_backup' },
];

async function deltaRows(): Promise<number> {
  return (await sql('SELECT count(*)::int AS n FROM run_count_deltas')).rows[0].n;
}

describe('kept run counts', () => {
  it('count a bulk insert as one grouped delta per group, and starts one by one', async () => {
    const before = await deltaRows();
    await insertRuns(300, { bizType: 'eu' });
    expect(await deltaRows()).toBe(before + 1);
    await insertRuns(40, { workflow: 'weekly_report', bizType: 'us', status: Status.FAIL });
    await insertRuns(25, { org: 'other' });
    for (let i = 0; i < 3; i++) await engine.startRun({ workflow: 'weekly_report', bizType: 'eu' });
    await expectCountsExact();
    await expectTotalsExact(FILTERS);
  });

  it('follow status changes, cancels and reruns, and ignore updates that move no run between groups', async () => {
    await sql(`UPDATE workflow_runs SET status = $1 WHERE id IN (SELECT id FROM workflow_runs WHERE biz_type = 'eu' AND status = $2 LIMIT 30)`, [
      Status.TIMEOUT,
      Status.SUCCESS,
    ]);
    const { run } = await engine.startRun({ workflow: 'nightly_backup', bizType: 'eu' });
    await engine.cancelRun(run.id);
    const failed = (await sql(`SELECT id FROM workflow_runs WHERE status = $1 LIMIT 1`, [Status.FAIL])).rows[0].id as string;
    await engine.rerunRun(failed);
    await expectCountsExact();
    const before = await deltaRows();
    await sql(`UPDATE workflow_runs SET updated_at = now(), owner = 'someone'`);
    expect(await deltaRows()).toBe(before);
    await expectTotalsExact(FILTERS);
  });

  it('follow soft deletes and their undoing', async () => {
    await sql(`UPDATE workflow_runs SET deleted_at = now() WHERE id IN (SELECT id FROM workflow_runs WHERE org_id = 'default' LIMIT 50)`);
    await expectCountsExact();
    await expectTotalsExact(FILTERS);
    await sql(`UPDATE workflow_runs SET deleted_at = NULL WHERE id IN (SELECT id FROM workflow_runs WHERE deleted_at IS NOT NULL LIMIT 20)`);
    await expectCountsExact();
  });

  it('follow deletes by retention, batch by batch', async () => {
    await sql(`UPDATE workflow_runs SET end_time = now() - interval '2 days' WHERE org_id = 'other'`);
    const retention = new RunRetention(database.db, { maxAgeMs: 86_400_000, byWorkflow: {} }, { batchSize: 10 });
    expect(await retention.sweep(new Date())).toBe(25);
    await expectCountsExact();
    await expectTotalsExact(FILTERS);
  });

  it('keep only what commits: concurrent transactions, one rolled back', async () => {
    const writers = Array.from({ length: 6 }, async (_, i) => {
      const client = await database.db.pool.connect();
      try {
        await client.query('BEGIN');
        await client.query(
          `INSERT INTO workflow_runs (id, definition_id, definition_version, workflow_name, org_id, biz_id, biz_type, status,
                                      trigger_time, created_at, updated_at)
           SELECT gen_random_uuid(), $1, 1, 'nightly_backup', 'default', 'tx-' || g, 'eu', $2, now(), now(), now()
             FROM generate_series(1, 5) g`,
          [definitionIds.nightly_backup, Status.READY],
        );
        await client.query(`UPDATE workflow_runs SET status = $1 WHERE biz_id = $2`, [Status.RUNNING, 'tx-1']);
        await client.query(i === 0 ? 'ROLLBACK' : 'COMMIT');
      } finally {
        client.release();
      }
    });
    await Promise.all(writers);
    await expectCountsExact();
    await expectTotalsExact(FILTERS);
  });

  it('stay exact while two compactors race each other and the writers', async () => {
    let writing = true;
    const writer = (async () => {
      for (let i = 0; writing || i < 5; i++) {
        await insertRuns(3, { bizType: i % 2 ? 'eu' : 'us', status: Status.READY });
        await sql(`UPDATE workflow_runs SET status = $1 WHERE id IN (SELECT id FROM workflow_runs WHERE status = $2 LIMIT 2)`, [
          Status.RUNNING,
          Status.READY,
        ]);
        await sql(`DELETE FROM workflow_runs WHERE id IN (SELECT id FROM workflow_runs WHERE status = $1 LIMIT 1)`, [Status.RUNNING]);
      }
    })();
    const compactor = async () => {
      for (let i = 0; i < 15; i++) await compactRunCounts(database.db.pool);
    };
    await Promise.all([compactor(), compactor()]);
    writing = false;
    await writer;
    await expectCountsExact();
    await compactRunCounts(database.db.pool);
    expect(await deltaRows()).toBe(0);
    await expectCountsExact();
    await expectTotalsExact(FILTERS);
  });

  it('empty with a TRUNCATE of the runs', async () => {
    await sql('TRUNCATE workflow_runs CASCADE');
    await expectCountsExact();
    expect((await sql('SELECT count(*)::int AS n FROM run_counts')).rows[0].n).toBe(0);
    await expectTotalsExact([{ orgId: 'default' }]);
  });
});
