import { BackupCluster, Engine, connectRedis } from '@flowline/engine';
import { TEST_REDIS_URL, freshDatabase, freshQueuePrefix, type TestDatabase } from '@flowline/engine/testing';
import type { FastifyInstance } from 'fastify';
import type { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildServer } from '../src/server.ts';

let database: TestDatabase;
let redis: Redis;
let engine: Engine;
let app: FastifyInstance;

beforeAll(async () => {
  database = await freshDatabase();
  redis = connectRedis(TEST_REDIS_URL);
  engine = new Engine({ db: database.db, redis, queuePrefix: freshQueuePrefix() });
  await engine.registerWorkflow(BackupCluster);
  app = await buildServer({ engine });
});
afterAll(async () => {
  await app.close();
  const keys = await redis.keys(`{${engine.queuePrefix}}*`);
  if (keys.length) await redis.del(...keys);
  await engine.close();
  redis.disconnect();
  await database.drop();
});

describe('POST /v1/runs and GET /v1/runs/{id}', () => {
  it('starts a run and reads it back with its nodes', async () => {
    const started = await app.inject({ method: 'POST', url: '/v1/runs', payload: { workflow: 'BackupCluster', bizId: 'c1' } });
    expect(started.statusCode).toBe(201);
    const body = started.json();
    expect(body.id).toMatch(/^[A-Za-z0-9_-]{22}$/);
    expect(body.nodes.map((n: { name: string }) => n.name)).toEqual(['backup', 'updateBackupRecord', 'end']);
    const read = await app.inject({ method: 'GET', url: `/v1/runs/${body.id}` });
    expect(read.statusCode).toBe(200);
    expect(read.json()).toMatchObject({ id: body.id, workflow: 'BackupCluster', bizId: 'c1', status: 'READY', statusCode: 6 });
  });

  it('returns the same run for the same idempotency key', async () => {
    const payload = { workflow: 'BackupCluster', idempotencyKey: 'nightly-2026-11-25' };
    const first = await app.inject({ method: 'POST', url: '/v1/runs', payload });
    const second = await app.inject({ method: 'POST', url: '/v1/runs', payload });
    expect(first.statusCode).toBe(201);
    expect(second.statusCode).toBe(200);
    expect(second.json().id).toBe(first.json().id);
  });

  it('answers an unknown workflow with 404 DEFINITION_NOT_FOUND', async () => {
    const response = await app.inject({ method: 'POST', url: '/v1/runs', payload: { workflow: 'Nope' } });
    expect(response.statusCode).toBe(404);
    expect(response.json().error.code).toBe('DEFINITION_NOT_FOUND');
  });

  it('answers a malformed body with 400 saying what was wrong', async () => {
    const response = await app.inject({ method: 'POST', url: '/v1/runs', payload: { workflow: 7 } });
    expect(response.statusCode).toBe(400);
    expect(response.json().error).toMatchObject({ code: 'VALIDATION_FAILED' });
    expect(response.json().error.message).toContain('workflow');
  });

  it('answers invalid JSON with 400, not 500', async () => {
    const response = await app.inject({
      method: 'POST',
      url: '/v1/runs',
      headers: { 'content-type': 'application/json' },
      payload: '{"workflow":',
    });
    expect(response.statusCode).toBe(400);
  });

  it('answers an unknown run id with 404 RUN_NOT_FOUND', async () => {
    for (const id of ['AAAAAAAAAAAAAAAAAAAAAA', 'not-an-id']) {
      const response = await app.inject({ method: 'GET', url: `/v1/runs/${id}` });
      expect(response.statusCode).toBe(404);
      expect(response.json().error.code).toBe('RUN_NOT_FOUND');
    }
  });

  it('answers an unknown route with a JSON 404', async () => {
    const response = await app.inject({ method: 'GET', url: '/v1/nothing' });
    expect(response.statusCode).toBe(404);
    expect(response.json().error.code).toBe('ROUTE_NOT_FOUND');
  });

  it('reports readiness of Postgres and Redis', async () => {
    const response = await app.inject({ method: 'GET', url: '/readyz' });
    expect(response.json()).toEqual({ status: 'ready', postgres: 'ok', redis: 'ok' });
  });
});
