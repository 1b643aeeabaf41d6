import { randomBytes } from 'node:crypto';
import { freshQueuePrefix, spawnFlowline, startReplicatedPostgres, TEST_REDIS_URL, type FlowlineProcess, type ReplicatedPostgres } from '@flowline/engine/testing';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

/**
 * FLOWLINE_READ_DATABASE_URL on a streaming replica made by pg_basebackup
 * from a primary of the test's own: history lists read there, a run's own
 * detail reads its writes, and a stopped replica costs nothing but speed.
 */
let servers: ReplicatedPostgres;
let flowline: FlowlineProcess;
let port: string;
const token = randomBytes(24).toString('hex');

beforeAll(async () => {
  servers = await startReplicatedPostgres();
  flowline = spawnFlowline('api', {
    DATABASE_URL: servers.primaryUrl,
    FLOWLINE_READ_DATABASE_URL: servers.replicaUrl,
    REDIS_URL: TEST_REDIS_URL,
    FLOWLINE_QUEUE_PREFIX: freshQueuePrefix(),
    FLOWLINE_ADMIN_TOKEN: token,
  });
  await flowline.ready;
  port = /"url":"http:\/\/[^:]+:(\d+)"/.exec(flowline.output())![1]!;
}, 90_000);

afterAll(async () => {
  await flowline?.kill('SIGTERM');
  await servers?.stop();
});

async function call(method: string, url: string, body?: unknown): Promise<{ status: number; json: Record<string, unknown> }> {
  const response = await fetch(`http://127.0.0.1:${port}${url}`, {
    method,
    headers: { authorization: `Bearer ${token}`, ...(body === undefined ? {} : { 'content-type': 'application/json' }) },
    ...(body === undefined ? {} : { body: JSON.stringify(body) }),
  });
  return { status: response.status, json: (await response.json()) as Record<string, unknown> };
}

async function until<T>(read: () => Promise<T>, done: (value: T) => boolean, timeoutMs = 15_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await read();
    if (done(value) || Date.now() > deadline) return value;
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

/** The queries flowline's history pool has run on the replica (its connections' last statements). */
async function replicaStatements(): Promise<string[]> {
  const replica = new pg.Client({ connectionString: servers.replicaUrl });
  await replica.connect();
  try {
    const result = await replica.query<{ query: string }>(`SELECT query FROM pg_stat_activity WHERE application_name = 'flowline-history'`);
    return result.rows.map((r) => r.query);
  } finally {
    await replica.end();
  }
}

describe('a read replica for history (FLOWLINE_READ_DATABASE_URL)', () => {
  it('lists runs from the replica, reads a run just started from the primary, and falls back when the replica stops', async () => {
    const ready = await until(() => call('GET', '/readyz'), (r) => (r.json.readReplica as { serving: string } | undefined)?.serving === 'replica');
    expect(ready.status).toBe(200);
    expect(ready.json.readReplica).toEqual({ serving: 'replica', lagSeconds: expect.any(Number) });

    expect((await call('POST', '/v1/definitions', { name: 'Replicated', nodes: [{ name: 'a', type: 'noop' }] })).status).toBe(201);
    for (let i = 0; i < 5; i++) {
      const started = await call('POST', '/v1/runs', { workflow: 'Replicated', bizId: `r${i}` });
      expect(started.status).toBe(201);
      // Read at once: the detail reads the primary, so the replica's replay cannot hide it.
      const read = await call('GET', `/v1/runs/${started.json.id as string}`);
      expect(read.status).toBe(200);
      expect(read.json.bizId).toBe(`r${i}`);
    }
    const listed = await until(() => call('GET', '/v1/runs?workflow=Replicated'), (r) => (r.json.items as unknown[]).length === 5);
    expect(listed.json.items).toHaveLength(5);
    expect((await replicaStatements()).some((q) => q.includes('workflow_runs'))).toBe(true);

    await servers.stopReplica();
    for (let i = 0; i < 5; i++) {
      const during = await call('GET', '/v1/runs?workflow=Replicated');
      expect(during.status).toBe(200);
      expect(during.json.items).toHaveLength(5);
    }
    const fallen = await until(() => call('GET', '/readyz'), (r) => (r.json.readReplica as { serving: string }).serving === 'primary');
    expect(fallen.status).toBe(200);
    expect(fallen.json.readReplica).toMatchObject({ serving: 'primary', reason: expect.stringContaining('replica') });

    await servers.startReplica();
    const back = await until(() => call('GET', '/readyz'), (r) => (r.json.readReplica as { serving: string }).serving === 'replica');
    expect(back.json.readReplica).toMatchObject({ serving: 'replica', lagSeconds: expect.any(Number) });
    const metrics = await (await fetch(`http://127.0.0.1:${port}/metrics`, { headers: { authorization: `Bearer ${token}` } })).text();
    expect(metrics).toMatch(/^flowline_read_replica_serving 1$/m);
    expect(metrics).toMatch(/^flowline_read_replica_lag_seconds \d/m);
  }, 90_000);
});
