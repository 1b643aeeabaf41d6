import { z } from 'zod';

/** What a webhook may be told: a run ending (FAIL covers INTERNAL_ERROR), or a run missing its SLA. */
export const NotifyEvent = { FAIL: 'FAIL', TIMEOUT: 'TIMEOUT', SUCCESS: 'SUCCESS', CANCEL: 'CANCEL', SLA_MISSED: 'SLA_MISSED' } as const;
export type NotifyEvent = (typeof NotifyEvent)[keyof typeof NotifyEvent];

const EVENTS = Object.values(NotifyEvent) as [NotifyEvent, ...NotifyEvent[]];

/**
 * One webhook of a definition (or of one of its schedules): the events it
 * is told of and where they are POSTed. Its signing secret is made by
 * flowline when the webhook first appears, and shown once.
 */
export const NotifySpecSchema = z
  .object({
    on: z.array(z.enum(EVENTS)).min(1).max(EVENTS.length).describe(`events: ${EVENTS.join(', ')}`),
    webhook: z
      .url({ protocol: /^https?$/, error: 'webhook: an http or https URL' })
      .max(2048)
      .describe("where each event is POSTed (JSON, signed with the webhook's secret); reached under the http node's egress policy"),
  })
  .strict();

/** A webhook as a spec declares it. */
export type NotifySpec = z.output<typeof NotifySpecSchema>;

/** How long a run may take: a run not ended `finishWithinMs` after it was created fires SLA_MISSED, once, and is left as it is. */
export const SlaSpecSchema = z
  .object({ finishWithinMs: z.number().int().min(1000).max(30 * 86_400_000).describe('from the run’s creation to its end') })
  .strict();

/** A run-time bound as a spec declares it. */
export type SlaSpec = z.output<typeof SlaSpecSchema>;

/** A spec's webhooks, at most this many per definition or schedule. */
export const MAX_WEBHOOKS = 10;
