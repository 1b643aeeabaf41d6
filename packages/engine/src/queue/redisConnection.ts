import { Cluster, Redis, type RedisOptions } from 'ioredis';
import type { RedisNode } from '../config.ts';

/** A connection to flowline's Redis: one server (REDIS_URL) or a Redis Cluster (REDIS_CLUSTER_NODES). */
export type RedisConnection = Redis | Cluster;

/** Where flowline's Redis is: a server's URL, or a cluster's seed nodes. */
export type RedisAddress = string | readonly RedisNode[];

/** What BullMQ needs of every connection: blocking commands wait through reconnects instead of failing. */
const BULLMQ_OPTIONS: RedisOptions = { maxRetriesPerRequest: null, enableReadyCheck: true };

/**
 * A Redis connection as BullMQ needs it. On a cluster, every key flowline
 * uses carries its installation's hash tag (see keys.ts), so one slot, one
 * master, serves an installation's scripts; the cluster client follows that
 * slot through failovers and resharding (MOVED/ASK) and reconnects to the
 * seed nodes when it loses them all.
 */
export function connectRedis(url: string): Redis;
export function connectRedis(address: RedisAddress): RedisConnection;
export function connectRedis(address: RedisAddress): RedisConnection {
  if (typeof address === 'string') return new Redis(address, BULLMQ_OPTIONS);
  return new Cluster(
    address.map((node) => ({ host: node.host, port: node.port })),
    { redisOptions: BULLMQ_OPTIONS, enableReadyCheck: true },
  );
}

/** The address of a process's Redis: the cluster's nodes when it is given, else the URL. */
export function redisAddressOf(config: { readonly redisUrl: string; readonly redisClusterNodes: readonly RedisNode[] | undefined }): RedisAddress {
  return config.redisClusterNodes ?? config.redisUrl;
}

function describe(address: RedisAddress): string {
  return typeof address === 'string' ? address : `the cluster nodes ${address.map((n) => `${n.host}:${n.port}`).join(',')}`;
}

/**
 * Fails fast with one clear line when Redis is not there, instead of ioredis's
 * endless reconnect log.
 */
export async function assertRedisReachable(address: RedisAddress, timeoutMs = 3000): Promise<void> {
  const probe =
    typeof address === 'string'
      ? new Redis(address, { lazyConnect: true, maxRetriesPerRequest: 0, retryStrategy: () => null, connectTimeout: timeoutMs })
      : new Cluster(
          address.map((node) => ({ host: node.host, port: node.port })),
          { lazyConnect: true, clusterRetryStrategy: () => null, redisOptions: { maxRetriesPerRequest: 0, connectTimeout: timeoutMs } },
        );
  probe.on('error', () => {});
  try {
    await probe.connect();
    await probe.ping();
  } catch {
    throw new Error(
      `Redis is not reachable at ${describe(address)}. Start one (e.g. \`redis-server --daemonize yes\` or \`docker run -p 6379:6379 redis:7\`) or set REDIS_URL (or REDIS_CLUSTER_NODES).`,
    );
  } finally {
    probe.disconnect();
  }
}
