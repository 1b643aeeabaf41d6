import type { BackfillRecord } from '../backfill/backfill.ts';
import { BACKFILL_COLUMNS } from './backfillColumns.ts';
import type { Queryable } from './database.ts';

/** One of an org's backfills, as its last batch left it. */
export async function readBackfill(db: Queryable, orgId: string, id: string): Promise<BackfillRecord | undefined> {
  const result = await db.query<BackfillRecord>(`SELECT ${BACKFILL_COLUMNS} FROM backfills b WHERE b.org_id = $1 AND b.id = $2`, [orgId, id]);
  return result.rows[0];
}
