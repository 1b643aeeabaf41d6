import type { StartMode } from '../contenders/contender.ts';
import { forEachBounded } from './boundedConcurrency.ts';

/**
 * How often a contender's store is asked how many of S1's starts are not
 * finished yet, the same for every contender: every 20 ms near the end, where
 * it sets the precision, but no more than once per 100 unfinished, up to
 * 250 ms, so that counting 20,000 unfinished rows every 20 ms does not itself
 * take a share of Postgres's CPU from the contender it measures.
 */
const pollDelay = (unfinished: number) => Math.min(250, Math.max(20, unfinished / 100));

/**
 * Makes `count` starts in `mode`: one `startOne(i)` per start with
 * `producers` in flight, or `startMany(from, n)` calls of `batch` starts with
 * `inFlight` in flight.
 */
export async function startAll(
  count: number,
  mode: StartMode,
  startOne: (index: number) => Promise<unknown>,
  startMany: (from: number, n: number) => Promise<unknown>,
): Promise<void> {
  if (mode.kind === 'perCall') return forEachBounded(count, mode.producers, startOne);
  const calls = Math.ceil(count / mode.batch);
  return forEachBounded(calls, mode.inFlight, (call) => startMany(call * mode.batch, Math.min(mode.batch, count - call * mode.batch)));
}

/**
 * Resolves once the store says nothing is left unfinished: completion counted
 * where it is durable (the contender's own tables), not when a handler
 * returned or an event fired, for every Postgres-backed contender alike.
 */
export async function untilNoneUnfinished(unfinished: () => Promise<number>): Promise<void> {
  for (let left = await unfinished(); left > 0; left = await unfinished()) await new Promise((resolve) => setTimeout(resolve, pollDelay(left)));
}
