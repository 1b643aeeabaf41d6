import type { NodeSpec } from '../core/spec.ts';
import { DagInvalid } from '../errors.ts';
import { failHandler } from './builtins/fail.ts';
import { httpHandler, type HttpNodeOptions } from './builtins/http.ts';
import { httpParamsProblem } from './builtins/httpParams.ts';
import { noopHandler } from './builtins/noop.ts';
import { sleepHandler } from './builtins/sleep.ts';
import type { NodeHandler } from './nodeHandler.ts';

/** Node type of nodes whose work is a registered TypeScript handler. */
export const CODE_NODE_TYPE = 'code';

/** What the built-in handlers are made with; the `http` node's egress, secrets and response cap. */
export interface HandlerRegistryOptions {
  /** the `http` node's egress policy, secret store and response cap (FLOWLINE_HTTP_*) */
  readonly http?: HttpNodeOptions;
}

/** Built-in types whose params are checked when a definition is stored, not first when a node runs. */
const PARAM_CHECKS: Record<string, (params: unknown) => string | undefined> = { http: httpParamsProblem };

/** Resolves a node spec to the function that runs it: a built-in type, or a named code handler. */
export class HandlerRegistry {
  private readonly code = new Map<string, NodeHandler>();
  private readonly builtins: Readonly<Record<string, NodeHandler>>;

  constructor(options: HandlerRegistryOptions = {}) {
    this.builtins = { noop: noopHandler, sleep: sleepHandler, http: httpHandler(options.http), fail: failHandler };
  }

  register(name: string, handler: NodeHandler): void {
    this.code.set(name, handler);
  }

  /** Node types a definition may use. */
  get nodeTypes(): ReadonlySet<string> {
    return new Set([...Object.keys(this.builtins), CODE_NODE_TYPE]);
  }

  hasCode(name: string): boolean {
    return this.code.has(name);
  }

  /** Refuses built-in nodes whose params their handler would refuse (an http node with an inline credential header). */
  checkParams(nodes: readonly Pick<NodeSpec, 'type' | 'name' | 'params'>[]): void {
    for (const node of nodes) {
      const problem = Object.hasOwn(PARAM_CHECKS, node.type) ? PARAM_CHECKS[node.type]!(node.params) : undefined;
      if (problem !== undefined) throw new DagInvalid(`node ${node.name}: ${problem}`, node.name);
    }
  }

  resolve(node: Pick<NodeSpec, 'type' | 'handler' | 'name'>): NodeHandler | undefined {
    if (node.type === CODE_NODE_TYPE) return node.handler === undefined ? undefined : this.code.get(node.handler);
    return Object.hasOwn(this.builtins, node.type) ? this.builtins[node.type] : undefined;
  }
}
