import type { Redis } from 'ioredis';
import { abortChannel } from './keys.ts';
import type { NodeJobData } from './nodeQueue.ts';

/**
 * Cancel requests reach running handlers over Redis pub/sub. A message lost
 * with Redis is harmless: the run's cancel flag is in Postgres, and a worker
 * checks it when it claims and when it reports.
 */
export async function publishAbort(redis: Redis, queuePrefix: string, target: NodeJobData): Promise<void> {
  await redis.publish(abortChannel(queuePrefix), JSON.stringify(target));
}

/** Subscribes a dedicated connection (pub/sub connections can do nothing else). */
export async function subscribeAborts(
  subscriber: Redis,
  queuePrefix: string,
  onAbort: (target: NodeJobData) => void,
): Promise<void> {
  const channel = abortChannel(queuePrefix);
  subscriber.on('message', (from: string, message: string) => {
    if (from !== channel) return;
    try {
      onAbort(JSON.parse(message) as NodeJobData);
    } catch {
      // A malformed message on our channel is ignored: aborts are best effort by design.
    }
  });
  await subscriber.subscribe(channel);
}
