import { Status } from '../core/status.ts';
import type { Queryable } from './database.ts';
import type { NodeAttempt } from './nodeAttempt.ts';

/**
 * A local lane gives back READY attempts that were handed to it (their rows
 * name it as lease owner, see applyCommands) before they go to Redis for every
 * worker: the rows no longer name it, so neither its death nor its liveness
 * decides their fate from then on; a claim does. Only rows still READY on the
 * attempt and still naming the lane are touched.
 */
export async function releaseHandedAttempts(db: Queryable, release: { leaseOwner: string; attempts: readonly NodeAttempt[] }): Promise<void> {
  if (release.attempts.length === 0) return;
  await db.query(
    `UPDATE node_runs n SET lease_owner = NULL
       FROM unnest($2::uuid[], $3::text[], $4::int[]) AS x(run_id, name, attempt)
      WHERE n.run_id = x.run_id AND n.name = x.name AND n.attempt = x.attempt AND n.status = ${Status.READY} AND n.lease_owner = $1`,
    [release.leaseOwner, release.attempts.map((a) => a.runId), release.attempts.map((a) => a.node), release.attempts.map((a) => a.attempt)],
  );
}
