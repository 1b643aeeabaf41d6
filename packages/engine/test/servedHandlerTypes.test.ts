import { Engine, connectRedis } from '@flowline/engine';
import { TEST_REDIS_URL, freshDatabase, freshQueuePrefix, type TestDatabase } from '@flowline/engine/testing';
import type { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

let database: TestDatabase;
let redis: Redis;
let clock = Date.now();
let engine: Engine;

beforeAll(async () => {
  database = await freshDatabase();
  redis = connectRedis(TEST_REDIS_URL);
  engine = new Engine({ db: database.db, redis, queuePrefix: freshQueuePrefix(), now: () => new Date(clock) });
});

afterAll(async () => {
  await engine.close();
  redis.disconnect();
  await database.drop();
});

describe('which handler types a live worker serves', () => {
  it('answers from Postgres, and reuses an answer for a second: a start through the API asks about its roots every time', async () => {
    expect([...(await engine.servedHandlerTypes(['noop', 'sleep']))]).toEqual([]);
    const worker = await engine.registerWorker({ id: 'worker-served-test', leaseMs: 30_000 });
    try {
      // Asked again within the second: the answer kept, as stale as a heartbeat may be.
      expect([...(await engine.servedHandlerTypes(['noop']))]).toEqual([]);
      clock += 1_001;
      expect([...(await engine.servedHandlerTypes(['noop', 'sleep', 'nobody.serves.this']))].sort()).toEqual(['noop', 'sleep']);
    } finally {
      await worker.stop();
    }
  });
});
