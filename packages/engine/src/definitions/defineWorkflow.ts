import { CODE_NODE_TYPE } from '../handlers/handlerRegistry.ts';
import type { NodeHandler } from '../handlers/nodeHandler.ts';
import { WorkflowSpecSchema, type NodeSpecInput, type WorkflowSpec } from '../core/spec.ts';
import { compileDag } from '../core/dag.ts';
import { checkSchedules, type ScheduleSpecInput } from '../scheduler/scheduleSpec.ts';

/** A node of a code-defined workflow: either a built-in `type`, or a `run` function. */
export type CodeNodeInput = Omit<NodeSpecInput, 'type' | 'handler'> &
  ({ run: NodeHandler; type?: undefined } | { type: string; run?: undefined });

/** A workflow defined in TypeScript: its spec (stored in Postgres) and its handlers (kept in the worker). */
export interface WorkflowDefinition {
  readonly spec: WorkflowSpec;
  readonly handlers: ReadonlyMap<string, NodeHandler>;
}

/**
 * Defines a workflow in code. Nodes with `run` become `code` nodes whose handler
 * is registered as `<workflow>.<node>`; the DAG is validated here, at definition time.
 *
 * ```ts
 * export const BackupCluster = defineWorkflow({
 *   name: 'BackupCluster',
 *   nodes: [
 *     { name: 'backup', run: async (ctx) => { ctx.log('backup cluster'); } },
 *     { name: 'end', type: 'noop', dependsOn: ['backup'] },
 *   ],
 * });
 * ```
 */
export function defineWorkflow(input: {
  name: string;
  description?: string;
  nodes: CodeNodeInput[];
  /** cron schedules (Quartz or Unix) that start runs; a schedule without `timeZone` fires in the display zone */
  schedules?: ScheduleSpecInput[];
}): WorkflowDefinition {
  const handlers = new Map<string, NodeHandler>();
  const spec = WorkflowSpecSchema.parse({
    name: input.name,
    ...(input.description === undefined ? {} : { description: input.description }),
    ...(input.schedules === undefined ? {} : { schedules: input.schedules }),
    nodes: input.nodes.map(({ run, type, ...rest }) => {
      if (!run) return { ...rest, type };
      const handler = `${input.name}.${rest.name}`;
      handlers.set(handler, run);
      return { ...rest, type: CODE_NODE_TYPE, handler };
    }),
  });
  compileDag(spec);
  checkSchedules(spec.schedules);
  return { spec, handlers };
}
