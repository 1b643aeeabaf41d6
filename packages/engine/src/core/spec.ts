import { z } from 'zod';
import { ScheduleSpecSchema } from '../scheduler/scheduleSpec.ts';
import { ConcurrencySpecSchema } from './concurrencySpec.ts';
import { MapSpecSchema } from './mapSpec.ts';
import { MAX_WEBHOOKS, NotifySpecSchema, SlaSpecSchema } from './notifySpec.ts';
import { NodeRetryPolicySchema } from './retryPolicy.ts';

/**
 * Node names become parts of BullMQ job ids and of Pandora node ids
 * (`<NodeName>-<NodeType>`), so they are restricted to identifier characters.
 */
export const NODE_NAME_PATTERN = /^[A-Za-z_][A-Za-z0-9_]{0,127}$/;
export const WORKFLOW_NAME_PATTERN = /^[A-Za-z_][A-Za-z0-9_]{0,127}$/;

/**
 * Free key/value labels, kept with the spec so that what a vendor API has and
 * flowline has no field for (a Pandora workflow's region, a node's Pandora type)
 * round-trips. The engine never reads them; keys are namespaced by the dialect.
 */
const LABELS = z.record(z.string().min(1).max(64), z.string().max(256)).refine((l) => Object.keys(l).length <= 32, 'at most 32 labels');

/** The zod schema of one node of a workflow definition: name, type, handler, params, retries, backoff, timeout, dependsOn, map. */
export const NodeSpecSchema = z
  .object({
    name: z.string().regex(NODE_NAME_PATTERN, 'node names are letters, digits and _, starting with a letter or _'),
    type: z
      .string()
      .min(1)
      .max(200)
      .describe('a built-in type (noop, sleep, http, fail), a handler type a worker registered (GET /v1/handlers), or "code" with `handler`'),
    handler: z.string().min(1).max(200).optional().describe('a registered handler type, for type "code"'),
    dependsOn: z.array(z.string()).max(10_000).default([]),
    retries: z.number().int().min(0).max(100).default(0),
    backoffMs: z.number().int().min(0).max(86_400_000).default(1000).describe('first retry delay; doubles per attempt'),
    timeoutMs: z.number().int().min(1).max(86_400_000).optional(),
    retry: NodeRetryPolicySchema.optional().describe('non-retryable error codes, the longest backoff, jitter (core/retryPolicy.ts)'),
    params: z.record(z.string(), z.unknown()).default({}),
    map: MapSpecSchema.optional().describe('run once per element of a list in a parent\'s output (core/mapSpec.ts)'),
    labels: LABELS.optional(),
  })
  .strict();

export const WorkflowSpecSchema = z
  .object({
    name: z.string().regex(WORKFLOW_NAME_PATTERN, 'workflow names are letters, digits and _, starting with a letter or _'),
    description: z.string().max(2000).optional(),
    labels: LABELS.optional(),
    input: z
      .record(z.string(), z.unknown())
      .optional()
      .describe('JSON Schema of the run input (`ctx.input`): a start whose input fails it is refused with 400 naming the field'),
    // Empty is allowed: a Pandora workflow is created bare and gets its nodes by update; starting one is refused.
    nodes: z.array(NodeSpecSchema).max(20_000),
    schedules: z.array(ScheduleSpecSchema).max(50).optional().describe('cron schedules that start runs of this workflow'),
    notify: z.array(NotifySpecSchema).max(MAX_WEBHOOKS).optional().describe('webhooks told when runs end or miss their SLA'),
    sla: SlaSpecSchema.optional().describe('how long a run may take before SLA_MISSED fires'),
    concurrency: ConcurrencySpecSchema.optional().describe('at most `limit` runs at once, per value of `key` in the run input (core/concurrencySpec.ts)'),
  })
  .strict();

/** A validated node of a workflow definition. */
export type NodeSpec = z.output<typeof NodeSpecSchema>;
export type NodeSpecInput = z.input<typeof NodeSpecSchema>;
/** A validated workflow definition: its nodes and schedules. */
export type WorkflowSpec = z.output<typeof WorkflowSpecSchema>;
/** A workflow definition as written (defaults not yet applied), what `applyDefinition` takes. */
export type WorkflowSpecInput = z.input<typeof WorkflowSpecSchema>;
