import { once } from 'node:events';
import type { RedisConnection } from './redisConnection.ts';
import { abortChannel } from './keys.ts';
import type { NodeAttempt } from '../storage/nodeAttempt.ts';

/**
 * What an abort message stops: one running attempt, or — `readyBefore`, an
 * epoch ms — every attempt of a run that was READY before then and is no
 * longer (cancelled, suspended, skipped): a worker starts none of those it
 * holds unclaimed, and claims those it runs so (see UnclaimedRun).
 */
export type AbortTarget = NodeAttempt | { readonly runId: string; readonly readyBefore: number };

/**
 * Cancel requests reach running handlers over Redis pub/sub. A message lost
 * with Redis is harmless: the run's cancel flag is in Postgres, and a worker
 * checks it when it claims and when it reports.
 */
export async function publishAbort(redis: RedisConnection, queuePrefix: string, target: AbortTarget): Promise<void> {
  await redis.publish(abortChannel(queuePrefix), JSON.stringify(target));
}

/** Subscribes a dedicated connection (pub/sub connections can do nothing else). */
export async function subscribeAborts(
  subscriber: RedisConnection,
  queuePrefix: string,
  onAbort: (target: AbortTarget) => void,
): Promise<void> {
  const channel = abortChannel(queuePrefix);
  subscriber.on('message', (from: string, message: string) => {
    if (from !== channel) return;
    try {
      onAbort(JSON.parse(message) as AbortTarget);
    } catch {
      // A malformed message on our channel is ignored: aborts are best effort by design.
    }
  });
  // SUBSCRIBE sent while the connection is still connecting raced ioredis's ready check (an INFO), which
  // Redis refuses on a subscribed connection: the connection dropped and the subscription was gone, so
  // cancels went unheard on a loaded machine (published to 0 subscribers). Subscribe once it is ready.
  if (subscriber.status !== 'ready') await once(subscriber, 'ready');
  await subscriber.subscribe(channel);
}
