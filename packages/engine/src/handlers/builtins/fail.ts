import { z } from 'zod';
import type { NodeHandler } from '../nodeHandler.ts';

const Params = z
  .object({
    message: z.string().default('failed by a fail node'),
    /** fail only the first N attempts, then succeed: exercises retries without code */
    failAttempts: z.coerce.number().int().min(0).optional(),
  })
  .passthrough();

/** Fails on purpose, for tests and drills. */
export const failHandler: NodeHandler = async (ctx) => {
  const { message, failAttempts } = Params.parse(ctx.params);
  if (failAttempts !== undefined && ctx.attempt > failAttempts) {
    ctx.log(`attempt ${ctx.attempt} passes`);
    return { attempt: ctx.attempt };
  }
  throw new Error(message);
};
