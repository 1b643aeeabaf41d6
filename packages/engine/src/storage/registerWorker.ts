import type { ServedHandlerType } from '../handlers/handlerRegistry.ts';
import type { Queryable } from './database.ts';

/** A worker about to serve: its id (its lease owner), where it runs, its lease, and the handler types it serves. */
export interface WorkerRegistration {
  readonly id: string;
  readonly host: string;
  readonly pid: number;
  readonly leaseMs: number;
  readonly now: Date;
  readonly handlerTypes: readonly ServedHandlerType[];
}

/** Workers silent this many leases are forgotten when another registers: their rows only ever answer "who served this". */
const FORGET_AFTER_LEASES = 100;

/**
 * Registers a worker and what it serves, in one statement: the handler types
 * are upserted (the newest registration's description and schema win), the
 * worker's row written with its first heartbeat, its handler types linked to
 * it, and workers long gone deleted with their links. The links' foreign key
 * is checked at the end of the statement, so the types it upserts count.
 */
export async function registerWorker(db: Queryable, worker: WorkerRegistration): Promise<void> {
  const types = worker.handlerTypes.map((t) => ({
    name: t.name,
    builtin: t.builtin,
    description: t.description ?? '',
    inputSchema: t.inputSchema ?? null,
  }));
  await db.query(
    `WITH forgotten AS (
       DELETE FROM workers
        WHERE heartbeat_at < $5::timestamptz - make_interval(secs => lease_ms::double precision * ${FORGET_AFTER_LEASES} / 1000)
     ), served AS (
       INSERT INTO handler_types (name, builtin, description, input_schema, registered_at)
       SELECT t.name, t.builtin, t.description, t."inputSchema", $5
         FROM json_to_recordset($6::json) AS t(name text, builtin boolean, description text, "inputSchema" jsonb)
       ON CONFLICT (name) DO UPDATE
         SET builtin = EXCLUDED.builtin, description = EXCLUDED.description,
             input_schema = EXCLUDED.input_schema, registered_at = EXCLUDED.registered_at
       RETURNING name
     ), worker AS (
       INSERT INTO workers (id, host, pid, lease_ms, started_at, heartbeat_at)
       VALUES ($1, $2, $3, $4, $5, $5)
       ON CONFLICT (id) DO UPDATE SET heartbeat_at = EXCLUDED.heartbeat_at
       RETURNING id
     )
     INSERT INTO worker_handler_types (worker_id, handler_type)
     SELECT worker.id, served.name FROM worker, served
     ON CONFLICT DO NOTHING`,
    [worker.id, worker.host, worker.pid, worker.leaseMs, worker.now, JSON.stringify(types)],
  );
}
