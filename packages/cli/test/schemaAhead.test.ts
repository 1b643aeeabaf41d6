import { TEST_REDIS_URL, freshDatabase, freshQueuePrefix, spawnFlowline } from '@flowline/engine/testing';
import { describe, expect, it } from 'vitest';

describe('a database migrated by a newer flowline', () => {
  it('makes a worker refuse to start, with one line saying why', async () => {
    const database = await freshDatabase();
    try {
      await database.db.pool.query(
        `INSERT INTO drizzle.__drizzle_migrations (hash, created_at)
         SELECT 'from-the-future', max(created_at) + 1000 FROM drizzle.__drizzle_migrations`,
      );
      const worker = spawnFlowline('worker', { DATABASE_URL: database.url, REDIS_URL: TEST_REDIS_URL, FLOWLINE_QUEUE_PREFIX: freshQueuePrefix() });
      expect(await worker.exited).toBe(1);
      expect(worker.output().trim().split('\n')).toEqual([expect.stringMatching(/^flowline: the database has 1 migration\(s\) newer than this flowline knows/)]);
    } finally {
      await database.drop();
    }
  });
});
