import type { NodeStateRow } from '../core/runState.ts';
import type { Queryable } from './database.ts';

const READ_NODES_DECIDED_SINCE = `SELECT name, status, attempt, lease_owner AS "leaseOwner", lost_attempts AS "lostAttempts", skip_requested AS "skipRequested"
  FROM node_runs WHERE run_id = $1 AND decided_seq > $2`;

/**
 * The rows of a run that decisions wrote after its decisionSeq was `seq`
 * (each row holds the seq its last decision left, `decided_seq`), as decisions
 * read them: what brings a state known as of `seq` up to date
 * (runtime/knownMapRuns.ts). Read under the run's lock, so no decision writes
 * more meanwhile.
 */
export async function readNodesDecidedSince(db: Queryable, runId: string, seq: number): Promise<NodeStateRow[]> {
  const { rows } = await db.query<NodeStateRow>({ name: 'read-nodes-decided-since', text: READ_NODES_DECIDED_SINCE, values: [runId, seq] });
  return rows;
}
