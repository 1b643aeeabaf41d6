import { PARKED_NODE_TYPES, isParkedNode, parkedParamsProblem } from '../core/parkedNode.ts';
import type { NodeSpec } from '../core/spec.ts';
import { DagInvalid } from '../errors.ts';
import { failHandler } from './builtins/fail.ts';
import { httpHandler, type HttpNodeOptions } from './builtins/http.ts';
import { httpParamsProblem } from './builtins/httpParams.ts';
import { noopHandler } from './builtins/noop.ts';
import { sleepHandler } from './builtins/sleep.ts';
import type { NodeHandler } from './nodeHandler.ts';

/** Node type of nodes whose work is a registered TypeScript handler named by `handler`. */
export const CODE_NODE_TYPE = 'code';

/** What the built-in handlers are made with; the `http` node's egress, secrets and response cap. */
export interface HandlerRegistryOptions {
  /** the `http` node's egress policy, secret store and response cap (FLOWLINE_HTTP_*) */
  readonly http?: HttpNodeOptions;
}

/** Built-in types whose params are checked when a definition is stored, not first when a node runs. */
const PARAM_CHECKS: Record<string, (params: unknown) => string | undefined> = { http: httpParamsProblem };

/** What each built-in does, as GET /v1/handlers and the UI say it. */
const BUILTIN_DESCRIPTIONS = {
  noop: 'does nothing and succeeds',
  sleep: 'waits params.ms milliseconds',
  http: 'calls params.url (method, body) within the egress policy; records the status and an excerpt of the body',
  fail: 'fails with params.message (its first params.failAttempts attempts only, when set)',
} as const;

/** The built-in node types, which every worker serves. */
export const BUILTIN_NODE_TYPES = Object.keys(BUILTIN_DESCRIPTIONS) as readonly (keyof typeof BUILTIN_DESCRIPTIONS)[];

/** What a registered handler type tells the fleet about itself (GET /v1/handlers). */
export interface HandlerTypeInfo {
  readonly description?: string;
  /** JSON Schema of the run input (`ctx.input`) the handler expects */
  readonly inputSchema?: Record<string, unknown>;
}

/** A handler type this process serves: its name and what it says of itself. */
export interface ServedHandlerType extends HandlerTypeInfo {
  readonly name: string;
  readonly builtin: boolean;
}

/**
 * Resolves a node spec to the function that runs it: a built-in type, a code
 * handler named by `handler` (type `code`), or a code handler named by the
 * type itself — how a JSON definition uses a handler type a worker registered.
 */
export class HandlerRegistry {
  private readonly code = new Map<string, { readonly run: NodeHandler; readonly info: HandlerTypeInfo }>();
  private readonly builtins: Readonly<Record<(typeof BUILTIN_NODE_TYPES)[number], NodeHandler>>;
  private readonly listeners = new Set<() => void>();
  /** Counts the code handlers registered: what has been derived from the registry is stale when it moved. */
  private registrations = 0;

  constructor(options: HandlerRegistryOptions = {}) {
    this.builtins = { noop: noopHandler, sleep: sleepHandler, http: httpHandler(options.http), fail: failHandler };
  }

  register(name: string, handler: NodeHandler, info: HandlerTypeInfo = {}): void {
    const added = !this.code.has(name);
    this.code.set(name, { run: handler, info });
    this.registrations++;
    if (added) for (const listener of this.listeners) listener();
  }

  /** How many registrations the registry has seen: equal counts, same handlers. */
  get version(): number {
    return this.registrations;
  }

  /** Calls `listener` each time a new handler type is registered (a worker then consumes its queue); answers how to stop. */
  onNewType(listener: () => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  /** Node types a definition may use without a worker's registration: the built-ins, the parked types and `code`. */
  get nodeTypes(): ReadonlySet<string> {
    return new Set([...BUILTIN_NODE_TYPES, ...PARKED_NODE_TYPES, CODE_NODE_TYPE]);
  }

  hasCode(name: string): boolean {
    return this.code.has(name);
  }

  /** The description and input schema a code handler was registered with. */
  infoOf(name: string): HandlerTypeInfo | undefined {
    return this.code.get(name)?.info;
  }

  /** Every handler type this process runs: the built-ins, then the code handlers registered here. */
  served(): ServedHandlerType[] {
    return [
      ...BUILTIN_NODE_TYPES.map((name) => ({ name, builtin: true, description: BUILTIN_DESCRIPTIONS[name] })),
      ...[...this.code].map(([name, { info }]) => ({ name, builtin: false, ...info })),
    ];
  }

  /** Refuses built-in nodes whose params their handler would refuse (an http node with an inline credential header). */
  checkParams(nodes: readonly Pick<NodeSpec, 'type' | 'name' | 'params'>[]): void {
    for (const node of nodes) {
      const problem = isParkedNode(node)
        ? parkedParamsProblem(node)
        : Object.hasOwn(PARAM_CHECKS, node.type) ? PARAM_CHECKS[node.type]!(node.params) : undefined;
      if (problem !== undefined) throw new DagInvalid(`node ${node.name}: ${problem}`, node.name);
    }
  }

  resolve(node: Pick<NodeSpec, 'type' | 'handler' | 'name'>): NodeHandler | undefined {
    if (node.type === CODE_NODE_TYPE) return node.handler === undefined ? undefined : this.code.get(node.handler)?.run;
    return Object.hasOwn(this.builtins, node.type) ? this.builtins[node.type as keyof typeof this.builtins] : this.code.get(node.type)?.run;
  }
}
