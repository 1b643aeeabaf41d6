import { randomBytes } from 'node:crypto';
import { Status, TriggerType } from '@flowline/engine';
import {
  freshDatabase,
  freshQueuePrefix,
  spawnFlowline,
  startPgBouncer,
  TEST_REDIS_URL,
  type FlowlineProcess,
  type PgBouncer,
  type TestDatabase,
} from '@flowline/engine/testing';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

/**
 * flowline behind PgBouncer in transaction pooling mode (Debian's pgbouncer,
 * started here on a loopback port in front of the test server): DATABASE_URL
 * is the bouncer, FLOWLINE_DIRECT_DATABASE_URL the server, for the workers'
 * liveness locks. Any statement that left state on a server connection — a
 * named statement, a session SET, a startup option — fails or leaks here.
 */
const BOUNCER_SERVER_CONNECTIONS = 16;
const RUNS = 1_000;

let database: TestDatabase;
let bouncer: PgBouncer;
let watcher: pg.Client;

beforeAll(async () => {
  database = await freshDatabase();
  bouncer = await startPgBouncer(database.url, BOUNCER_SERVER_CONNECTIONS);
  watcher = new pg.Client({ connectionString: database.url });
  await watcher.connect();
}, 60_000);

afterAll(async () => {
  await watcher?.end();
  await bouncer?.stop();
  await database?.drop();
});

/** The database's server connections now, the watcher's own left out. */
async function serverConnections(): Promise<number> {
  const result = await watcher.query<{ n: number }>(
    'SELECT count(*)::int AS n FROM pg_stat_activity WHERE datname = current_database() AND pid <> pg_backend_pid()',
  );
  return result.rows[0]!.n;
}

/** The started (not scheduled) runs by status. */
async function runsByStatus(): Promise<Map<number, number>> {
  const result = await watcher.query<{ status: number; n: number }>(
    'SELECT status, count(*)::int AS n FROM workflow_runs WHERE trigger_type = $1 GROUP BY status',
    [TriggerType.MANUAL],
  );
  return new Map(result.rows.map((r) => [r.status, r.n]));
}

describe('behind PgBouncer in transaction pooling mode', () => {
  it('an API, three workers and a scheduler run 1,000 runs and a schedule to SUCCESS on at most 20 server connections', async () => {
    const token = randomBytes(24).toString('hex');
    const env = {
      DATABASE_URL: bouncer.pooled(database.url),
      FLOWLINE_DIRECT_DATABASE_URL: database.url,
      REDIS_URL: TEST_REDIS_URL,
      FLOWLINE_QUEUE_PREFIX: freshQueuePrefix(),
      FLOWLINE_ADMIN_TOKEN: token,
    };
    const processes: FlowlineProcess[] = ['api', 'worker', 'worker', 'worker', 'scheduler'].map((role) => spawnFlowline(role, env));
    let peak = 0;
    const sampling = setInterval(() => void serverConnections().then((n) => (peak = Math.max(peak, n))), 100);
    try {
      await Promise.all(processes.map((p) => p.ready));
      const port = /"url":"http:\/\/[^:]+:(\d+)"/.exec(processes[0]!.output())![1];
      const call = async (method: string, url: string, body?: unknown) => {
        const response = await fetch(`http://127.0.0.1:${port}${url}`, {
          method,
          headers: { authorization: `Bearer ${token}`, ...(body === undefined ? {} : { 'content-type': 'application/json' }) },
          ...(body === undefined ? {} : { body: JSON.stringify(body) }),
        });
        return { status: response.status, json: (await response.json()) as Record<string, unknown> };
      };

      const defined = await call('POST', '/v1/definitions', {
        name: 'Pooled',
        nodes: [
          { name: 'a', type: 'noop' },
          { name: 'b', type: 'noop', dependsOn: ['a'] },
          { name: 'c', type: 'noop', dependsOn: ['a'] },
          { name: 'd', type: 'noop', dependsOn: ['b', 'c'] },
        ],
        schedules: [{ name: 'everySecond', expression: '* * * * * ?' }],
      });
      expect(defined.status).toBe(201);

      const ids: string[] = [];
      for (let i = 0; i < RUNS; i += 50) {
        const started = await Promise.all(Array.from({ length: 50 }, () => call('POST', '/v1/runs', { workflow: 'Pooled' })));
        for (const s of started) {
          expect(s.status).toBe(201);
          ids.push(s.json.id as string);
        }
      }
      // A start followed at once by a read of its run, through the pooler.
      expect((await call('GET', `/v1/runs/${ids.at(-1)}`)).status).toBe(200);

      const deadline = Date.now() + 90_000;
      let counts = await runsByStatus();
      while ((counts.get(Status.SUCCESS) ?? 0) < RUNS && Date.now() < deadline) {
        await new Promise((resolve) => setTimeout(resolve, 250));
        counts = await runsByStatus();
      }
      expect(Object.fromEntries(counts)).toEqual({ [Status.SUCCESS]: RUNS });

      const fired = await watcher.query<{ n: number }>('SELECT count(*)::int AS n FROM workflow_runs WHERE trigger_type = $1 AND status = $2', [
        TriggerType.PERIODIC,
        Status.SUCCESS,
      ]);
      expect(fired.rows[0]!.n).toBeGreaterThan(0);
      const listed = await call('GET', '/v1/runs?workflow=Pooled&status=SUCCESS&limit=5');
      expect(listed.status).toBe(200);
      expect(listed.json.items).toHaveLength(5);

      // The bouncer's pool, and a liveness session per worker on the direct URL.
      console.log(`behind PgBouncer: ${RUNS} runs SUCCESS; peak server connections ${peak}`);
      expect(peak).toBeLessThanOrEqual(20);
      expect(bouncer.output()).not.toMatch(/unsupported startup parameter|prepared statement/);
    } finally {
      clearInterval(sampling);
      await Promise.all(processes.map((p) => p.kill('SIGTERM')));
    }
  }, 180_000);
});
