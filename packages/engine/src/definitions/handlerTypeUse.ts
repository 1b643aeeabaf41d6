import { isDeepStrictEqual } from 'node:util';
import type { WorkflowSpec } from '../core/spec.ts';
import { CODE_NODE_TYPE } from '../handlers/handlerRegistry.ts';

/**
 * The handler types a definition names beyond the built-ins: a node's type
 * that is not built-in (a handler type used directly, as JSON definitions and
 * Pandora's `flowlineType` do), and each `code` node's handler.
 */
export function namedHandlerTypes(spec: WorkflowSpec, builtins: ReadonlySet<string>): string[] {
  const names = new Set<string>();
  for (const node of spec.nodes) {
    if (node.type === CODE_NODE_TYPE) {
      if (node.handler !== undefined) names.add(node.handler);
    } else if (!builtins.has(node.type)) {
      names.add(node.type);
    }
  }
  return [...names];
}

/**
 * A definition that declares no input schema takes the input schemas of the
 * handler types it uses — all of them must hold (`allOf`) — so a JSON
 * definition built from a code workflow's handlers refuses the inputs those
 * handlers would refuse, at the start rather than in a node.
 */
export function withHandlerInput(spec: WorkflowSpec, schemas: ReadonlyMap<string, Record<string, unknown> | null>): WorkflowSpec {
  if (spec.input !== undefined) return spec;
  const distinct: Record<string, unknown>[] = [];
  for (const schema of schemas.values()) if (schema && !distinct.some((known) => isDeepStrictEqual(known, schema))) distinct.push(schema);
  if (distinct.length === 0) return spec;
  return { ...spec, input: distinct.length === 1 ? distinct[0]! : { allOf: distinct } };
}
