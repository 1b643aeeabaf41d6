import { Status } from '../core/status.ts';
import type { Queryable } from './database.ts';

/** A run admitted: its root nodes, now READY, to dispatch. */
export interface AdmittedRun {
  readonly runId: string;
  readonly priority: number;
  readonly roots: readonly { readonly node: string; readonly queue: string }[];
}

/**
 * Admits waiting runs into the free slots of their keys, first started
 * first, in ONE statement, safe on any number of processes at once:
 *
 * 1. `slot` locks the slots rows of keys that have waiting runs and a free
 *    slot (`held < limit`), skipping rows another admission holds: two
 *    admissions never work one key at once, so neither can count a slot the
 *    other fills. A locked row is read at its latest version, so `held` is
 *    what committed admissions and run ends left it.
 * 2. `candidate` takes, per key, at most `limit - held` waiting runs in seq
 *    order whose run rows it can lock now (a run being decided — cancelled
 *    while it waits — is left for the next pass; never waiting on a run
 *    lock means never deadlocking with a decision whose run end frees a slot).
 *    Only READY runs: a suspended one waits until it is resumed.
 * 3. `admitted` marks them (`admitted_at IS NULL` rechecked on the latest row:
 *    one admitted or ended meanwhile is not admitted twice), `held` grows by
 *    exactly the number marked, and their roots go WAIT → READY.
 *
 * No advisory lock, no read-then-write: the slot row's lock and the
 * conditional writes are the whole protocol. Answers the runs admitted.
 */
const ADMIT_RUNS = `WITH waiting AS MATERIALIZED (
    SELECT DISTINCT org_id, workflow_name, key FROM run_admissions WHERE admitted_at IS NULL
  ), slot AS MATERIALIZED (
    SELECT s.org_id, s.workflow_name, s.key, s."limit" - s.held AS free
      FROM concurrency_slots s JOIN waiting w USING (org_id, workflow_name, key)
     WHERE s.held < s."limit"
     FOR UPDATE OF s SKIP LOCKED
  ), candidate AS MATERIALIZED (
    SELECT c.run_id, slot.org_id, slot.workflow_name, slot.key
      FROM slot CROSS JOIN LATERAL (
        SELECT a.run_id FROM run_admissions a JOIN workflow_runs r ON r.id = a.run_id
         WHERE a.org_id = slot.org_id AND a.workflow_name = slot.workflow_name AND a.key = slot.key
           AND a.admitted_at IS NULL AND r.status = ${Status.READY}
         ORDER BY a.seq
         LIMIT slot.free
         FOR UPDATE OF r SKIP LOCKED
      ) c
  ), admitted AS (
    UPDATE run_admissions a SET admitted_at = $1
      FROM candidate c
     WHERE a.run_id = c.run_id AND a.admitted_at IS NULL
    RETURNING a.run_id, a.org_id, a.workflow_name, a.key, a.roots
  ), held AS (
    UPDATE concurrency_slots s SET held = s.held + n.count
      FROM (SELECT org_id, workflow_name, key, count(*)::int AS count FROM admitted GROUP BY 1, 2, 3) n
     WHERE s.org_id = n.org_id AND s.workflow_name = n.workflow_name AND s.key = n.key
  ), released AS (
    UPDATE node_runs n SET status = ${Status.READY}, updated_at = $1
      FROM admitted a CROSS JOIN LATERAL jsonb_array_elements(a.roots) AS root
     WHERE n.run_id = a.run_id AND n.name = root->>'node' AND n.status = ${Status.WAIT}
  )
  SELECT a.run_id AS "runId", r.priority, a.roots FROM admitted a JOIN workflow_runs r ON r.id = a.run_id`;

export async function admitRuns(db: Queryable, now: Date): Promise<AdmittedRun[]> {
  const admitted = await db.query<AdmittedRun>({ name: 'admit-runs', text: ADMIT_RUNS, values: [now] });
  return admitted.rows;
}
