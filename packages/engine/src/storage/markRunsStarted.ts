import { Status } from '../core/status.ts';
import type { Queryable } from './database.ts';

/**
 * Moves runs still READY that no decision has written (decisionSeq 0) to
 * RUNNING, each with the time its first node was claimed (see
 * runtime/runStartMarks.ts): not a decision, so the decisionSeq is left alone,
 * as a claim leaves it. A run a decision wrote meanwhile is left as it is: its
 * decisions move it themselves, and a row moved under a decision in flight
 * would make that decision stale (its write finds the row by address). Each
 * run is found through its key and written by its row address.
 */
export async function markRunsStarted(db: Queryable, marks: { readonly runIds: readonly string[]; readonly startedAt: readonly Date[]; readonly now: Date }): Promise<number> {
  const result = await db.query({
    name: 'mark-runs-started',
    text: `WITH marks AS MATERIALIZED (
       SELECT t.tid, x.id, x.at FROM unnest($1::uuid[], $2::timestamptz[]) AS x(id, at)
       CROSS JOIN LATERAL (SELECT ctid AS tid FROM workflow_runs WHERE id = x.id OFFSET 0) AS t
     )
     UPDATE workflow_runs r
        SET status = ${Status.RUNNING}, start_time = COALESCE(r.start_time, m.at), updated_at = $3::timestamptz
       FROM marks m
      WHERE r.ctid = ANY(ARRAY(SELECT tid FROM marks)) AND r.ctid = m.tid AND r.id = m.id AND r.status = ${Status.READY} AND r.decision_seq = 0`,
    values: [marks.runIds, marks.startedAt, marks.now],
  });
  return result.rowCount ?? 0;
}
