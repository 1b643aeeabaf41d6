import { inTransaction, type Database } from './database.ts';

/** Advisory-lock class of stamp assignment (the object id is the definition id). */
const STAMP_LOCK_CLASS = 0x5754;

/**
 * Gives every run of the definitions an EnOS instance stamp: the second of its
 * trigger time, or — when runs of one flow start faster than one a second —
 * the first second after the last stamp, so `<flowId>-<yyyyMMddHHmmss>` stays
 * unique in the vendor's format. Assigned in sequence order under a
 * per-definition advisory lock, by whoever reads EnOS ids first, so the start
 * path pays nothing: a burst of 20,000 starts of one flow would otherwise
 * serialise on the unique index.
 */
export async function assignInstanceStamps(db: Database, definitionIds: readonly number[]): Promise<void> {
  for (const definitionId of [...new Set(definitionIds)].sort((a, b) => a - b)) {
    const pending = await db.pool.query(
      `SELECT 1 FROM workflow_runs WHERE definition_id = $1 AND instance_stamp IS NULL LIMIT 1`,
      [definitionId],
    );
    if (!pending.rowCount) continue;
    await inTransaction(db, async (client) => {
      await client.query('SELECT pg_advisory_xact_lock($1, $2)', [STAMP_LOCK_CLASS, definitionId]);
      const unstamped = await client.query<{ id: string; trigger_time: Date }>(
        `SELECT id, trigger_time FROM workflow_runs WHERE definition_id = $1 AND instance_stamp IS NULL ORDER BY seq`,
        [definitionId],
      );
      if (!unstamped.rowCount) return;
      const highWater = await client.query<{ last: Date | null }>(
        `SELECT max(instance_stamp) AS last FROM workflow_runs WHERE definition_id = $1`,
        [definitionId],
      );
      let last = highWater.rows[0]?.last?.getTime() ?? Number.NEGATIVE_INFINITY;
      const stamps = unstamped.rows.map((row) => {
        last = Math.max(Math.floor(row.trigger_time.getTime() / 1000) * 1000, last + 1000);
        return new Date(last);
      });
      await client.query(
        `UPDATE workflow_runs w SET instance_stamp = x.stamp
           FROM unnest($1::uuid[], $2::timestamptz[]) AS x(id, stamp) WHERE w.id = x.id`,
        [unstamped.rows.map((r) => r.id), stamps],
      );
    });
  }
}
