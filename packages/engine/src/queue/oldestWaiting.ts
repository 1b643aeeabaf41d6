import type { Queue } from 'bullmq';

/**
 * Since when the oldest job of a queue's wait list has been due (its time
 * added, plus its delay if it came through the delayed set); undefined when
 * none waits. The wait list holds the default priority's jobs, where batches go.
 */
export async function oldestWaitingSince(queue: Queue): Promise<number | undefined> {
  // BullMQ's wait list is consumed from its tail: asc order puts the oldest first.
  const [oldest] = await queue.getJobs(['wait'], 0, 0, true);
  return oldest ? oldest.timestamp + (oldest.delay ?? 0) : undefined;
}
