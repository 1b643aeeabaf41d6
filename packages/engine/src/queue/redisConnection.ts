import { Redis } from 'ioredis';

/**
 * A Redis connection as BullMQ needs it (`maxRetriesPerRequest: null`: blocking
 * commands wait through reconnects instead of failing).
 */
export function connectRedis(url: string): Redis {
  return new Redis(url, { maxRetriesPerRequest: null, enableReadyCheck: true });
}

/**
 * Fails fast with one clear line when Redis is not there, instead of ioredis's
 * endless reconnect log.
 */
export async function assertRedisReachable(url: string, timeoutMs = 3000): Promise<void> {
  const probe = new Redis(url, { lazyConnect: true, maxRetriesPerRequest: 0, retryStrategy: () => null, connectTimeout: timeoutMs });
  probe.on('error', () => {});
  try {
    await probe.connect();
    await probe.ping();
  } catch {
    throw new Error(
      `Redis is not reachable at ${url}. Start one (e.g. \`redis-server --daemonize yes\` or \`docker run -p 6379:6379 redis:7\`) or set REDIS_URL.`,
    );
  } finally {
    probe.disconnect();
  }
}
