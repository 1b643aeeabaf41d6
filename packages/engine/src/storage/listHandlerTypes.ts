import type { Queryable } from './database.ts';

/** A live worker serving a handler type. */
export interface ServingWorker {
  readonly id: string;
  readonly host: string;
  readonly pid: number;
  readonly startedAt: Date;
  readonly heartbeatAt: Date;
}

/** A registered handler type with the live workers that serve it (none: its nodes wait for one). */
export interface HandlerTypeRecord {
  readonly name: string;
  readonly builtin: boolean;
  readonly description: string;
  /** JSON Schema of the run input the handler expects; null when it takes any */
  readonly inputSchema: Record<string, unknown> | null;
  readonly registeredAt: Date;
  readonly workers: ServingWorker[];
}

/**
 * Every registered handler type, built-ins first, each with the workers that
 * serve it and are alive: heartbeated within their lease as of `now`.
 */
export async function listHandlerTypes(db: Queryable, now: Date): Promise<HandlerTypeRecord[]> {
  const result = await db.query<HandlerTypeRecord>(
    `SELECT h.name, h.builtin, h.description, h.input_schema AS "inputSchema", h.registered_at AS "registeredAt",
            COALESCE(json_agg(json_build_object('id', w.id, 'host', w.host, 'pid', w.pid,
                                                'startedAt', w.started_at, 'heartbeatAt', w.heartbeat_at)
                              ORDER BY w.started_at) FILTER (WHERE w.id IS NOT NULL), '[]') AS workers
       FROM handler_types h
       LEFT JOIN worker_handler_types wh ON wh.handler_type = h.name
       LEFT JOIN workers w ON w.id = wh.worker_id
                          AND w.heartbeat_at >= $1::timestamptz - make_interval(secs => w.lease_ms::double precision / 1000)
      GROUP BY h.name
      ORDER BY h.builtin DESC, h.name`,
    [now],
  );
  // json_agg hands timestamps back as text
  return result.rows.map((row) => ({
    ...row,
    workers: row.workers.map((w) => ({ ...w, startedAt: new Date(w.startedAt), heartbeatAt: new Date(w.heartbeatAt) })),
  }));
}
