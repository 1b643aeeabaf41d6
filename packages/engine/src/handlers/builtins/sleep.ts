import { setTimeout as delay } from 'node:timers/promises';
import { z } from 'zod';
import type { NodeHandler } from '../nodeHandler.ts';

const Params = z.object({ ms: z.coerce.number().int().min(0).max(86_400_000).default(1000) }).passthrough();

/** Waits `params.ms` milliseconds; stops at once when aborted. */
export const sleepHandler: NodeHandler = async (ctx) => {
  const { ms } = Params.parse(ctx.params);
  ctx.log(`sleep ${ms} ms`);
  await delay(ms, undefined, { signal: ctx.signal });
  return { sleptMs: ms };
};
