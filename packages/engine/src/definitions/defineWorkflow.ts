import { z } from 'zod';
import { CODE_NODE_TYPE } from '../handlers/handlerRegistry.ts';
import type { NodeHandler } from '../handlers/nodeHandler.ts';
import { WorkflowSpecSchema, type NodeSpecInput, type WorkflowSpec } from '../core/spec.ts';
import { compileDag } from '../core/dag.ts';
import type { ConcurrencySpec } from '../core/concurrencySpec.ts';
import { checkSchedules, type ScheduleSpecInput } from '../scheduler/scheduleSpec.ts';
import { checkInputSchema } from './runInput.ts';

/** A code handler of a workflow: the function that runs its node, and what it says of itself (GET /v1/handlers). */
export interface CodeHandler {
  readonly run: NodeHandler;
  readonly description?: string;
}

/** A workflow defined in TypeScript: its spec (stored in Postgres) and its handlers (kept in the worker). */
export interface WorkflowDefinition {
  readonly spec: WorkflowSpec;
  /** by handler type name, `<workflow>.<node>` */
  readonly handlers: ReadonlyMap<string, CodeHandler>;
}

/** The zod schema of a workflow's run input. */
export type InputSchema = z.ZodType;

/** What a node's options may say besides its work: retries, backoff, timeout, params, labels, its parents and a description. */
export type NodeOptions<Parent extends string = string> = Omit<NodeSpecInput, 'name' | 'type' | 'handler' | 'dependsOn'> & {
  /** the nodes that must succeed (or be skipped) first; `ctx.parents` holds their outputs */
  readonly dependsOn?: readonly Parent[];
  /** what the handler does, as GET /v1/handlers shows it */
  readonly description?: string;
};

/** A node of a workflow given as a list (`defineWorkflow({ nodes })`): a built-in `type`, or a `run` function. */
export type CodeNodeInput<Input = unknown> = Omit<NodeSpecInput, 'type' | 'handler'> & { readonly description?: string } & (
    | { run: NodeHandler<Input>; type?: undefined }
    | { type: string; run?: undefined }
  );

/** The outputs of a node's parents, by name, as `ctx.parents` holds them. */
export type ParentOutputs<Outputs, Parent extends keyof Outputs> = { readonly [K in Parent]: Outputs[K] };

/**
 * A workflow built by `defineWorkflow`: a WorkflowDefinition whose types say
 * what a start sends (`StartInput`), what handlers get (`Input`, parsed by
 * the schema) and what each node returns (`Outputs`, by node name), so that
 * `.node()` types every handler's `ctx.parents` from its parents' returns.
 */
export interface Workflow<Input = unknown, StartInput = unknown, Outputs extends object = Record<string, unknown>> extends WorkflowDefinition {
  /** Type only, never set: what a start of this workflow sends as `input` (see `WorkflowInput`). */
  readonly '~startInput'?: StartInput;

  /** Adds a root node whose handler is `run`; its return value is its output, handed to its children. */
  node<Name extends string, Output>(name: Name, run: NodeHandler<Input, object, Output>): Workflow<Input, StartInput, Outputs & { readonly [K in Name]: Awaited<Output> }>;
  /**
   * Adds a map node: run once per element of the list its `map.over` names in
   * a parent's output (`ctx.item`, `ctx.index`); its children get the
   * elements' outputs joined in order, typed as a list.
   */
  node<Name extends string, Output, Parent extends keyof Outputs & string = never>(
    name: Name,
    options: NodeOptions<Parent> & { readonly map: NonNullable<NodeSpecInput['map']> },
    run: NodeHandler<Input, ParentOutputs<Outputs, Parent>, Output>,
  ): Workflow<Input, StartInput, Outputs & { readonly [K in Name]: Awaited<Output>[] }>;
  /** Adds a node run by `run` after its `dependsOn` parents, whose outputs its `ctx.parents` holds, typed. */
  node<Name extends string, Output, Parent extends keyof Outputs & string = never>(
    name: Name,
    options: NodeOptions<Parent>,
    run: NodeHandler<Input, ParentOutputs<Outputs, Parent>, Output>,
  ): Workflow<Input, StartInput, Outputs & { readonly [K in Name]: Awaited<Output> }>;
  /** Adds a node of a built-in or registered type (`noop`, `sleep`, `http`, …) that needs no code here. */
  node<Name extends string, Parent extends keyof Outputs & string = never>(
    name: Name,
    options: NodeOptions<Parent> & { readonly type: string },
  ): Workflow<Input, StartInput, Outputs & { readonly [K in Name]: unknown }>;
}

/** What a start of a workflow sends as `input`: `WorkflowInput<typeof myWorkflow>`. */
export type WorkflowInput<W> = W extends { readonly '~startInput'?: infer StartInput } ? StartInput : unknown;

type InputOf<S> = S extends InputSchema ? z.output<S> : unknown;
type StartInputOf<S> = S extends InputSchema ? z.input<S> : Record<string, unknown>;

/** A workflow's name, description, run input schema and schedules: all of `defineWorkflow`'s options but its nodes. */
export interface WorkflowOptions<S extends InputSchema | undefined> {
  name: string;
  description?: string;
  /**
   * The zod schema of the run input: types `ctx.input`, is stored with the
   * definition as JSON Schema so that a start whose input fails it is refused
   * (400 naming the field) by any API process, and parses `ctx.input` before
   * each handler (defaults applied).
   */
  input?: S;
  /** cron schedules (Quartz or Unix) that start runs; a schedule without `timeZone` fires in the display zone */
  schedules?: ScheduleSpecInput[];
  /** at most `limit` runs at once, per value of `key` in the run input (`{ limit: 1, key: 'bizId' }`) */
  concurrency?: ConcurrencySpec;
}

/**
 * Defines a workflow in code. Nodes with `run` become code nodes whose
 * handler type is `<workflow>.<node>`; the DAG is validated here, at
 * definition time. Nodes come as a list, or one by one with `.node()`, which
 * types each handler's `ctx.parents` from its parents' return types:
 *
 * ```ts
 * export const Backup = defineWorkflow({ name: 'Backup', input: z.object({ cluster: z.string() }) })
 *   .node('snapshot', async (ctx) => ({ path: `/backups/${ctx.input.cluster}.tar` }))
 *   .node('upload', { dependsOn: ['snapshot'], retries: 3 }, async (ctx) => {
 *     ctx.log(`uploading ${ctx.parents.snapshot.path}`);
 *     return { url: `s3://backups/${ctx.input.cluster}` };
 *   })
 *   .node('end', { type: 'noop', dependsOn: ['upload'] });
 * ```
 */
export function defineWorkflow<S extends InputSchema | undefined = undefined>(
  options: WorkflowOptions<S> & { nodes: CodeNodeInput<InputOf<S>>[] },
): Workflow<InputOf<S>, StartInputOf<S>>;
export function defineWorkflow<S extends InputSchema | undefined = undefined>(options: WorkflowOptions<S>): Workflow<InputOf<S>, StartInputOf<S>, object>;
export function defineWorkflow(options: WorkflowOptions<InputSchema | undefined> & { nodes?: CodeNodeInput[] }): Workflow {
  const { nodes = [], input, ...rest } = options;
  return buildWorkflow({ ...rest, input, inputSchema: input === undefined ? undefined : z.toJSONSchema(input, { io: 'input', unrepresentable: 'any' }) }, nodes);
}

interface WorkflowHead extends Omit<WorkflowOptions<InputSchema | undefined>, 'input'> {
  readonly input: InputSchema | undefined;
  readonly inputSchema: Record<string, unknown> | undefined;
}

/** Validates the spec so far (schema, DAG, schedules) and makes the workflow; each `.node()` makes a new one. */
function buildWorkflow(head: WorkflowHead, nodes: readonly CodeNodeInput[]): Workflow {
  const handlers = new Map<string, CodeHandler>();
  const spec = WorkflowSpecSchema.parse({
    name: head.name,
    ...(head.description === undefined ? {} : { description: head.description }),
    ...(head.inputSchema === undefined ? {} : { input: head.inputSchema }),
    ...(head.schedules === undefined ? {} : { schedules: head.schedules }),
    ...(head.concurrency === undefined ? {} : { concurrency: head.concurrency }),
    nodes: nodes.map(({ run, type, description, ...node }) => {
      if (!run) return { ...node, type };
      const handler = `${head.name}.${node.name}`;
      handlers.set(handler, { run: parsingInput(head.input, run), ...(description === undefined ? {} : { description }) });
      return { ...node, type: CODE_NODE_TYPE, handler };
    }),
  });
  compileDag(spec);
  checkSchedules(spec.schedules);
  checkInputSchema(spec);
  const node = (name: string, optionsOrRun: NodeOptions | NodeHandler, run?: NodeHandler): Workflow => {
    const { dependsOn, ...options } = typeof optionsOrRun === 'function' ? {} : (optionsOrRun as NodeOptions & { type?: string });
    const work = typeof optionsOrRun === 'function' ? optionsOrRun : run;
    const added = { ...options, name, ...(dependsOn === undefined ? {} : { dependsOn: [...dependsOn] }) };
    return buildWorkflow(head, [...nodes, (work ? { ...added, run: work } : added) as CodeNodeInput]);
  };
  return { spec, handlers, node: node as Workflow['node'] };
}

/**
 * The handler as the worker calls it: with the run's input parsed by the
 * workflow's schema first (defaults applied, transforms run), when it has one.
 * The handler gets the worker's own context with only `input` answered
 * differently: a proxy reads every other field from that context itself, so
 * its getters (ids made when read) run as they would unwrapped.
 */
function parsingInput(schema: InputSchema | undefined, run: NodeHandler): NodeHandler {
  if (!schema) return run;
  return async (ctx) => {
    const parsed = schema.safeParse(ctx.input);
    if (!parsed.success) throw new Error(`the run's input fails the workflow's schema: ${z.prettifyError(parsed.error)}`);
    return run(new Proxy(ctx, { get: (context, field) => (field === 'input' ? parsed.data : Reflect.get(context, field, context)) }));
  };
}
