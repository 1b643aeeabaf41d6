import { ensureRunPartitions } from '@flowline/engine';
import type pg from 'pg';
import { progress } from '../harness/progress.ts';

/** How the loaded history is shaped, so the queries know what to ask for. */
export interface LoadedHistory {
  readonly runs: number;
  readonly workflows: readonly string[];
  readonly bizTypes: readonly string[];
  /** the seq in the middle of the history: where the deep-page queries start */
  readonly middleSeq: number;
  readonly oldest: Date;
  readonly newest: Date;
}

const BIZ_TYPES = ['cluster', 'backup', 'report', 'import'] as const;
/** the engine's default period (partitions/runPartitions.ts) */
const PERIOD_DAYS = 28;

/**
 * Loads `count` finished runs with INSERT … SELECT generate_series, one
 * statement per history partition (a period of runs, 28 days as the engine makes them; progress printed after
 * each), with the secondary indexes of workflow_runs dropped during the load
 * and rebuilt after (one sort per index and partition instead of millions of
 * index insertions), then VACUUM ANALYZE: a history this old has long been
 * vacuumed by autovacuum, which would otherwise start on the fresh rows in the
 * middle of the measured queries (2 cores) and leave index-only scans
 * fetching every row from the heap until it is done.
 * One run per second of trigger time, ending now, spread round-robin over the
 * workflows, so the EnOS instance stamp stays unique per definition; each run
 * id a UUIDv7 of its creation time, as the engine makes them, so each run
 * lands in its period's partition; 1 in 20 failed, 1 in 50 cancelled, the rest
 * successful. Inserted through the partitioned table, so its count triggers
 * keep the totals' counts as for any start.
 */
export async function loadHistory(
  pool: pg.Pool,
  count: number,
  definitions: readonly { readonly id: number; readonly name: string }[],
  orgId: string,
): Promise<LoadedHistory> {
  const client = await pool.connect();
  try {
    const newest = new Date(Math.floor(Date.now() / 1000) * 1000);
    const oldest = new Date(newest.getTime() - (count - 1) * 1000);
    await ensureRunPartitions(client, oldest, newest, PERIOD_DAYS);
    const periods = await client.query<{ from_time: Date; to_time: Date }>(
      `SELECT from_time, to_time FROM run_partitions WHERE to_time > $1 AND from_time <= $2 ORDER BY from_time`,
      [oldest, newest],
    );
    const indexes = await client.query<{ name: string; definition: string }>(
      `SELECT i.indexname AS name, i.indexdef AS definition FROM pg_indexes i
        WHERE i.tablename = 'workflow_runs' AND i.indexname NOT IN
          (SELECT conname FROM pg_constraint WHERE conrelid = 'workflow_runs'::regclass)`,
    );
    for (const index of indexes.rows) await client.query(`DROP INDEX "${index.name}"`);
    await client.query(`SET maintenance_work_mem = '512MB'`);
    // Run g (1…count) was created at newest − (count − g) s: the g of each period's first and last run.
    const firstOf = (at: Date) => Math.max(1, count - Math.floor((newest.getTime() - at.getTime()) / 1000));
    let loaded = 0;
    for (const period of periods.rows) {
      const from = firstOf(period.from_time);
      const to = Math.min(count, firstOf(period.to_time) - 1);
      if (to < from) continue;
      await client.query(
        `INSERT INTO workflow_runs
           (id, definition_id, definition_version, workflow_name, org_id, owner, biz_id, biz_type, trigger_type,
            status, input, trigger_time, instance_stamp, start_time, end_time, created_at, updated_at)
         SELECT (lpad(to_hex((extract(epoch FROM t) * 1000)::bigint), 12, '0') || '7' || substr(h, 1, 3) || '8' || substr(h, 4, 15))::uuid,
                (d.ids)[1 + g % d.n], 1, (d.names)[1 + g % d.n], $3, 'bench',
                'biz-' || g, ($5::text[])[1 + (g / 7) % 4], (g % 3)::smallint,
                CASE WHEN g % 20 = 0 THEN -1 WHEN g % 50 = 1 THEN 8 ELSE 1 END::smallint, '{}'::jsonb,
                t, t, t, t + interval '2 seconds', t, t + interval '2 seconds'
           FROM generate_series($1::int, $2::int) AS g,
                LATERAL (SELECT $6::timestamptz - make_interval(secs => ($8::int - g)) AS t, md5(g::text) AS h) AS made,
                (SELECT $4::bigint[] AS ids, $7::text[] AS names, cardinality($4::bigint[]) AS n) AS d`,
        [from, to, orgId, definitions.map((d) => d.id), [...BIZ_TYPES], newest, definitions.map((d) => d.name), count],
      );
      loaded += to - from + 1;
      progress(`S4 loaded ${loaded.toLocaleString('en')} of ${count.toLocaleString('en')} runs (period from ${period.from_time.toISOString().slice(0, 10)})`);
    }
    for (const index of indexes.rows) {
      // A partitioned table's index reads `ON ONLY`: created as written it would cover no partition.
      await client.query(index.definition.replace(' ON ONLY ', ' ON '));
      progress(`S4 index ${index.name} built`);
    }
    await client.query('VACUUM (ANALYZE) workflow_runs');
    const bounds = await client.query<{ min: number; max: number }>(`SELECT min(seq) AS min, max(seq) AS max FROM workflow_runs`);
    const { min, max } = bounds.rows[0]!;
    return {
      runs: count,
      workflows: definitions.map((d) => d.name),
      bizTypes: BIZ_TYPES,
      middleSeq: Math.floor((Number(min) + Number(max)) / 2),
      oldest,
      newest,
    };
  } finally {
    client.release();
  }
}
