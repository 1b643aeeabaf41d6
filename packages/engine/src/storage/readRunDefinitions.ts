import type { Queryable } from './database.ts';

/** The definition versions some runs are pinned to, each once. */
export async function readRunDefinitions(db: Queryable, runIds: readonly string[]): Promise<{ id: number; version: number }[]> {
  const result = await db.query<{ id: number; version: number }>(
    `SELECT DISTINCT definition_id AS id, definition_version AS version FROM workflow_runs WHERE id = ANY($1::uuid[])`,
    [runIds],
  );
  return result.rows;
}
