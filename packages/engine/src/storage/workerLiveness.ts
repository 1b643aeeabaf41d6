import type pg from 'pg';
import type { Queryable } from './database.ts';

/**
 * Worker liveness, kept by Postgres itself: each worker holds a session
 * advisory lock, keyed by its lease owner, on a connection it keeps open. A
 * worker killed (SIGKILL, OOM) closes its socket, Postgres ends the session and
 * the lock is gone at once — no heartbeat to miss, no lease to wait out — so
 * any process can tell, by the locks held, whose attempts have lost their
 * worker. A live worker that only hangs keeps its lock: its lease, which it
 * stops renewing, is what gives it away.
 *
 * The lock key is (LIVENESS_LOCK_CLASS, hashtext(lease owner)); pg_locks shows
 * the second half as an unsigned oid, which `livenessKeySql` computes from an
 * owner column. Two owners of one hash look alike: the one alive then keeps the
 * other's attempts waiting for their leases, which is where detection fell back
 * to before.
 */
export const LIVENESS_LOCK_CLASS = 0x666c77;

/** SQL: the liveness key (pg_locks' objid, as a bigint) of the lease owner in `column`. */
export const livenessKeySql = (column: string): string => `(hashtext(${column})::bigint & 4294967295)`;

/** Takes the worker's liveness lock on its own session; it holds while `client` stays connected. */
export async function holdLivenessLock(client: pg.ClientBase, leaseOwner: string): Promise<void> {
  await client.query(`SELECT pg_advisory_lock($1, hashtext($2))`, [LIVENESS_LOCK_CLASS, leaseOwner]);
}

/**
 * The liveness keys of every worker of this database alive now. pg_locks
 * shows the whole server: the workers of another installation on it (another
 * database) are not this one's, and their deaths are none of its business.
 */
export async function listLiveWorkerKeys(db: Queryable): Promise<Set<number>> {
  const result = await db.query<{ key: string }>(
    `SELECT objid::bigint AS key FROM pg_locks
      WHERE locktype = 'advisory' AND classid = $1 AND objsubid = 2 AND granted
        AND database = (SELECT oid FROM pg_database WHERE datname = current_database())`,
    [LIVENESS_LOCK_CLASS],
  );
  return new Set(result.rows.map((row) => Number(row.key)));
}
