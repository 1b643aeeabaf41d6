import { z } from 'zod';
import type { NodeHandler } from '../nodeHandler.ts';
import { NonRetryableError } from '../nonRetryableError.ts';

const Params = z
  .object({
    message: z.string().default('failed by a fail node'),
    /** fail only the first N attempts, then succeed: exercises retries without code */
    failAttempts: z.coerce.number().int().min(0).optional(),
    /** the error's code, as a definition's retry.nonRetryable lists it */
    code: z.string().min(1).max(100).optional(),
    /** throw a NonRetryableError: the node fails at once, its retries unused */
    nonRetryable: z.boolean().optional(),
  })
  .passthrough();

/** Fails on purpose, for tests and drills. */
export const failHandler: NodeHandler = async (ctx) => {
  const { message, failAttempts, code, nonRetryable } = Params.parse(ctx.params);
  if (failAttempts !== undefined && ctx.attempt > failAttempts) {
    ctx.log(`attempt ${ctx.attempt} passes`);
    return { attempt: ctx.attempt };
  }
  if (nonRetryable) throw new NonRetryableError(message, code === undefined ? {} : { code });
  throw Object.assign(new Error(message), code === undefined ? {} : { code });
};
