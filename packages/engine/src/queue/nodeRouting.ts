import { isParkedNode } from '../core/parkedNode.ts';
import type { NodeSpec } from '../core/spec.ts';
import { BUILTIN_NODE_TYPES, CODE_NODE_TYPE } from '../handlers/handlerRegistry.ts';
import { QueueName, handlerQueueName } from './keys.ts';

/**
 * The handler type a node runs: its built-in type, the code handler a `code`
 * node names, or the registered type a JSON definition names as its type.
 */
export function handlerTypeOf(spec: Pick<NodeSpec, 'type' | 'handler'>): string {
  return spec.type === CODE_NODE_TYPE ? (spec.handler ?? '') : spec.type;
}

/** A handler type's namespace: the part of its name before the first dot. */
function namespaceOf(handlerType: string): string {
  const dot = handlerType.indexOf('.');
  return dot < 0 ? handlerType : handlerType.slice(0, dot);
}

/**
 * Routing: the queue a node's jobs go to, so that only a worker that can run
 * it ever takes it. Built-in types share one queue, which every worker
 * consumes; a code handler's jobs go to its namespace's queue, which only the
 * workers that registered that namespace's handlers consume. A node whose
 * handler no live worker serves so waits in its queue — READY, never failed —
 * until one starts. Parked nodes take no queue (QueueName.PARKED).
 */
export function queueOf(spec: Pick<NodeSpec, 'type' | 'handler'>): string {
  if (isParkedNode(spec)) return QueueName.PARKED;
  const type = handlerTypeOf(spec);
  return (BUILTIN_NODE_TYPES as readonly string[]).includes(type) ? QueueName.NODES : handlerQueueName(namespaceOf(type));
}

/** The queues a worker whose process runs these handler types consumes. */
export function queuesServing(handlerTypes: Iterable<string>): string[] {
  const queues = new Set<string>([QueueName.NODES]);
  for (const type of handlerTypes) queues.add(queueOf({ type, handler: undefined }));
  return [...queues];
}
