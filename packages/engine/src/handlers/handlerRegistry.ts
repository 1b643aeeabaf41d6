import type { NodeSpec } from '../core/spec.ts';
import { failHandler } from './builtins/fail.ts';
import { httpHandler } from './builtins/http.ts';
import { noopHandler } from './builtins/noop.ts';
import { sleepHandler } from './builtins/sleep.ts';
import type { NodeHandler } from './nodeHandler.ts';

/** Node type of nodes whose work is a registered TypeScript handler. */
export const CODE_NODE_TYPE = 'code';

const BUILTINS: Record<string, NodeHandler> = {
  noop: noopHandler,
  sleep: sleepHandler,
  http: httpHandler,
  fail: failHandler,
};

/** Resolves a node spec to the function that runs it: a built-in type, or a named code handler. */
export class HandlerRegistry {
  private readonly code = new Map<string, NodeHandler>();

  register(name: string, handler: NodeHandler): void {
    this.code.set(name, handler);
  }

  /** Node types a definition may use. */
  get nodeTypes(): ReadonlySet<string> {
    return new Set([...Object.keys(BUILTINS), CODE_NODE_TYPE]);
  }

  hasCode(name: string): boolean {
    return this.code.has(name);
  }

  resolve(node: Pick<NodeSpec, 'type' | 'handler' | 'name'>): NodeHandler | undefined {
    if (node.type === CODE_NODE_TYPE) return node.handler === undefined ? undefined : this.code.get(node.handler);
    return BUILTINS[node.type];
  }
}
