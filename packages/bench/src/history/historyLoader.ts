import type pg from 'pg';

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

/**
 * Loads `count` finished runs in one INSERT … SELECT generate_series, with the
 * secondary indexes of workflow_runs dropped during the load and rebuilt after
 * (one sort per index instead of a million index insertions), then VACUUM
 * ANALYZE: a history this old has long been vacuumed by autovacuum, which
 * would otherwise start on the fresh million rows in the middle of the
 * measured queries (2 cores) and leave index-only scans fetching every row
 * from the heap until it is done.
 * One run per second of trigger time, spread round-robin over the workflows,
 * so the EnOS instance stamp stays unique per definition; 1 in 20 failed,
 * 1 in 50 cancelled, the rest successful.
 */
export async function loadHistory(
  pool: pg.Pool,
  count: number,
  definitions: readonly { readonly id: number; readonly name: string }[],
  orgId: string,
): Promise<LoadedHistory> {
  const client = await pool.connect();
  try {
    const indexes = await client.query<{ name: string; definition: string }>(
      `SELECT i.indexname AS name, i.indexdef AS definition FROM pg_indexes i
        WHERE i.tablename = 'workflow_runs' AND i.indexname NOT IN
          (SELECT conname FROM pg_constraint WHERE conrelid = 'workflow_runs'::regclass)`,
    );
    for (const index of indexes.rows) await client.query(`DROP INDEX "${index.name}"`);
    const newest = new Date(Math.floor(Date.now() / 1000) * 1000);
    await client.query(
      `INSERT INTO workflow_runs
         (id, definition_id, definition_version, workflow_name, org_id, owner, biz_id, biz_type, trigger_type,
          status, input, trigger_time, instance_stamp, start_time, end_time, created_at, updated_at)
       SELECT gen_random_uuid(), (d.ids)[1 + g % d.n], 1, (d.names)[1 + g % d.n], $2, 'bench',
              'biz-' || g, ($4::text[])[1 + (g / 7) % 4], (g % 3)::smallint,
              CASE WHEN g % 20 = 0 THEN -1 WHEN g % 50 = 1 THEN 8 ELSE 1 END::smallint, '{}'::jsonb,
              t, t, t, t + interval '2 seconds', t, t + interval '2 seconds'
         FROM generate_series(1, $1::int) AS g,
              LATERAL (SELECT $5::timestamptz - make_interval(secs => ($1::int - g)) AS t) AS times,
              (SELECT $3::bigint[] AS ids, $6::text[] AS names, cardinality($3::bigint[]) AS n) AS d`,
      [count, orgId, definitions.map((d) => d.id), [...BIZ_TYPES], newest, definitions.map((d) => d.name)],
    );
    for (const index of indexes.rows) await client.query(index.definition);
    await client.query('VACUUM (ANALYZE) workflow_runs');
    const bounds = await client.query<{ min: number; max: number }>(`SELECT min(seq) AS min, max(seq) AS max FROM workflow_runs`);
    const { min, max } = bounds.rows[0]!;
    return {
      runs: count,
      workflows: definitions.map((d) => d.name),
      bizTypes: BIZ_TYPES,
      middleSeq: Math.floor((Number(min) + Number(max)) / 2),
      oldest: new Date(newest.getTime() - (count - 1) * 1000),
      newest,
    };
  } finally {
    client.release();
  }
}
