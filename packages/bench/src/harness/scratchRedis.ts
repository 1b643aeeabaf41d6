import { randomBytes } from 'node:crypto';
import { Redis } from 'ioredis';

/** A key prefix no other run uses; `drop()` deletes every key under it. */
export interface ScratchRedisPrefix {
  readonly prefix: string;
  drop(): Promise<void>;
}

export function createScratchRedisPrefix(redisUrl: string, label: string): ScratchRedisPrefix {
  const prefix = `bench_${label}_${randomBytes(4).toString('hex')}`;
  return {
    prefix,
    drop: async () => {
      const redis = new Redis(redisUrl, { maxRetriesPerRequest: 3 });
      try {
        // SCAN, not KEYS: the Redis is shared with other engineers' tests.
        for (const pattern of [`${prefix}*`, `{${prefix}}*`]) {
          const stream = redis.scanStream({ match: pattern, count: 1000 });
          for await (const keys of stream as AsyncIterable<string[]>) if (keys.length) await redis.unlink(...keys);
        }
      } finally {
        redis.disconnect();
      }
    },
  };
}
