import { embeddedTestDatabase, freshQueuePrefix, spawnFlowline, TEST_REDIS_URL, type FlowlineProcess, type TestDatabase } from '@flowline/engine/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startChaosStack, type ChaosStack } from '../src/chaos/chaosStack.ts';
import { exhaustConnectionsMidFlight } from '../src/chaos/exhaustConnections.ts';

/**
 * Postgres connections are a budget: on a server of the test's own with a
 * small max_connections, a fleet sized by FLOWLINE_PG_POOL_MAX fits, and a
 * server that refuses every connection for a while costs no run and runs no
 * attempt twice.
 */
let database: TestDatabase;

beforeAll(async () => {
  database = await embeddedTestDatabase(['-c', 'max_connections=60']);
}, 60_000);

afterAll(async () => {
  await database?.drop();
});

describe('the connection budget', () => {
  it('five processes with FLOWLINE_PG_POOL_MAX=10 against max_connections 60 all start and serve', async () => {
    const prefix = freshQueuePrefix();
    const env = { DATABASE_URL: database.url, REDIS_URL: TEST_REDIS_URL, FLOWLINE_QUEUE_PREFIX: prefix, FLOWLINE_PG_POOL_MAX: '10' };
    const roles = ['api', 'worker', 'worker', 'worker', 'scheduler'];
    const processes: FlowlineProcess[] = roles.map((role) => spawnFlowline(role, env));
    try {
      await Promise.all(processes.map((p) => p.ready));
      const api = processes[0]!;
      const port = /"url":"http:\/\/[^:]+:(\d+)"/.exec(api.output())![1];
      const ready = await fetch(`http://127.0.0.1:${port}/readyz`);
      expect(ready.status).toBe(200);
    } finally {
      await Promise.all(processes.map((p) => p.kill('SIGTERM')));
    }
  }, 90_000);

  it('Postgres out of connections for 10 s during 500 runs: all 500 end SUCCESS and no attempt runs twice', async () => {
    let stack: ChaosStack | undefined;
    try {
      stack = await startChaosStack({}, { ...database, drop: async () => {} });
      const result = await exhaustConnectionsMidFlight(stack, 500, 10_000);
      console.log(`connection exhaustion: ${result.verdict}`);
      expect(result.succeeded).toBe(500);
      expect(result.duplicates).toBe(0);
    } finally {
      await stack?.close();
    }
  }, 180_000);
});
