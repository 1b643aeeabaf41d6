import { Cluster } from 'ioredis';
import { bullPrefix } from '../queue/keys.ts';
import type { RedisConnection } from '../queue/redisConnection.ts';

/**
 * Deletes every Redis key of an installation (its queue prefix): a FLUSHALL
 * for that installation only. On a cluster the keys share one hash tag, so
 * they sit on one master; each master is asked, as KEYS answers only for the
 * node it is sent to. Returns how many keys were deleted.
 */
export async function deleteInstallationKeys(redis: RedisConnection, queuePrefix: string): Promise<number> {
  const nodes = redis instanceof Cluster ? redis.nodes('master') : [redis];
  let deleted = 0;
  for (const node of nodes) {
    const keys = await node.keys(`${bullPrefix(queuePrefix)}*`);
    if (keys.length > 0) deleted += await node.del(...keys);
  }
  return deleted;
}
