import { Engine, RunOrderColumn, Status, type RunOrder, type RunRecord } from '@flowline/engine';
import { freshTestEngine, type TestDatabase, type TestEngine } from '@flowline/engine/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

/**
 * Numbered pages (TiEM, EnOS, Explorer) find a page's rows by their seq and
 * read only those whole: walked page by page, every order must give each
 * matching run exactly once, in the order one unpaged query gives, also where
 * the order column ties or is NULL (a run not ended has no end_time).
 */
let database: TestDatabase;
let fixture: TestEngine;
let engine: Engine;

beforeAll(async () => {
  ({ database, engine } = fixture = await freshTestEngine());
  const { id } = await engine.applyDefinition({ name: 'nightly_backup', nodes: [{ name: 'step', type: 'noop' }] });
  // 60 runs: end times tie in fives, every fourth run has none; statuses alternate.
  await database.db.pool.query(
    `INSERT INTO workflow_runs (id, definition_id, definition_version, workflow_name, org_id, biz_id, biz_type, status,
                                trigger_time, created_at, updated_at, end_time)
     SELECT gen_random_uuid(), $1, 1, 'nightly_backup', 'default', 'biz-' || g, '', CASE WHEN g % 2 = 0 THEN ${Status.SUCCESS} ELSE ${Status.FAIL} END,
            now() - make_interval(secs => g), now(), now(), CASE WHEN g % 4 = 0 THEN NULL ELSE now() - make_interval(mins => g / 5) END
       FROM generate_series(1, 60) g`,
    [id],
  );
});

afterAll(() => fixture.close());

const seqs = (runs: readonly RunRecord[]) => runs.map((run) => run.seq);

describe('numbered pages', () => {
  // each order with the ORDER BY that says, independently, what it means
  const orders: Record<string, [RunOrder[], string]> = {
    'newest first': [[{ column: RunOrderColumn.SEQ, descending: true }], 'seq DESC'],
    'end time, ties and NULLs': [[{ column: RunOrderColumn.END_TIME, descending: true }], 'end_time DESC NULLS LAST, seq DESC'],
    'trigger time ascending': [[{ column: RunOrderColumn.TRIGGER_TIME, descending: false }], 'trigger_time ASC, seq DESC'],
  };
  for (const [name, [order, orderBy]] of Object.entries(orders)) {
    for (const filter of [{ orgId: 'default' }, { orgId: 'default', statuses: [Status.FAIL] }]) {
      it(`${name}${filter.statuses ? ', filtered' : ''}: the pages walk every run once, in order`, async () => {
        const expected = await database.db.pool.query<{ seq: number }>(
          `SELECT seq FROM workflow_runs WHERE status = ANY($1::smallint[]) ORDER BY ${orderBy}`,
          [filter.statuses ?? [Status.SUCCESS, Status.FAIL]],
        );
        const walked: RunRecord[] = [];
        for (let offset = 0; offset < 70; offset += 7) walked.push(...(await engine.listRunsByPage(filter, { offset, limit: 7, order })));
        expect(seqs(walked)).toEqual(expected.rows.map((row) => Number(row.seq)));
        expect(new Set(seqs(walked)).size).toBe(filter.statuses ? 30 : 60);
        expect(walked[0]).toMatchObject({ workflow: 'nightly_backup', orgId: 'default', bizType: '' });
      });
    }
  }
});
