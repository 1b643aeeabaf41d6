import type { Queryable } from './database.ts';

/**
 * Which of `names` some live worker serves (heartbeated within its lease as of
 * `now`): one probe of worker_handler_types_handler per name, where the whole
 * fleet's list (listHandlerTypes) reads every type a deployment registered —
 * 10,000 and more with a wide code workflow, 41 ms a read — to answer a start.
 */
export async function listServedHandlerTypes(db: Queryable, names: readonly string[], now: Date): Promise<Set<string>> {
  if (names.length === 0) return new Set();
  const result = await db.query<{ name: string }>({
    name: 'list-served-handler-types',
    text: `SELECT DISTINCT wh.handler_type AS name
             FROM worker_handler_types wh JOIN workers w ON w.id = wh.worker_id
            WHERE wh.handler_type = ANY($1::text[])
              AND w.heartbeat_at >= $2::timestamptz - make_interval(secs => w.lease_ms::double precision / 1000)`,
    values: [names, now],
  });
  return new Set(result.rows.map((row) => row.name));
}
