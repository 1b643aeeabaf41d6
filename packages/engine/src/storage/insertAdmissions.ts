import type { Queryable } from './database.ts';

/** A started run of a limited workflow, waiting to be admitted (see runAdmissions). */
export interface NewAdmission {
  readonly runId: string;
  readonly orgId: string;
  readonly workflowName: string;
  readonly key: string;
  readonly seq: number;
  readonly limit: number;
  readonly roots: readonly { readonly node: string; readonly queue: string }[];
}

/**
 * Records started runs as waiting for a slot of their key, and makes sure
 * each key has its slots row with the limit of the latest start (a
 * definition whose limit changed moves its keys to the new one; a lower
 * limit than runs held lets none more in until enough have ended). One
 * statement, in the transaction that inserts the runs (StartSystem).
 */
export async function insertAdmissions(db: Queryable, admissions: readonly NewAdmission[]): Promise<void> {
  if (admissions.length === 0) return;
  await db.query({
    name: 'insert-admissions',
    text: `WITH input AS MATERIALIZED (
       SELECT * FROM json_to_recordset($1::json) AS r("runId" uuid, "orgId" text, "workflowName" text, key text, seq bigint, "limit" int, roots jsonb)
     ), slots AS (
       INSERT INTO concurrency_slots (org_id, workflow_name, key, "limit")
       SELECT DISTINCT ON ("orgId", "workflowName", key) "orgId", "workflowName", key, "limit" FROM input ORDER BY "orgId", "workflowName", key, seq DESC
       ON CONFLICT (org_id, workflow_name, key) DO UPDATE SET "limit" = EXCLUDED."limit"
        WHERE concurrency_slots."limit" <> EXCLUDED."limit"
     )
     INSERT INTO run_admissions (run_id, org_id, workflow_name, key, seq, roots)
     SELECT "runId", "orgId", "workflowName", key, seq, roots FROM input`,
    values: [JSON.stringify(admissions)],
  });
}
