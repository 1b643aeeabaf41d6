import type { Queryable } from './database.ts';

/** Renews a worker's heartbeat: false when its row is gone (forgotten after a long silence), and it must register again. */
export async function heartbeatWorker(db: Queryable, id: string, now: Date): Promise<boolean> {
  const result = await db.query(`UPDATE workers SET heartbeat_at = $2 WHERE id = $1`, [id, now]);
  return result.rowCount === 1;
}
