import type { Queryable } from './database.ts';

/** Deletes a stopping worker's row; its handler-type links go with it, the handler types stay. */
export async function deregisterWorker(db: Queryable, id: string): Promise<void> {
  await db.query(`DELETE FROM workers WHERE id = $1`, [id]);
}
