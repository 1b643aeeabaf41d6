import { createHash } from 'node:crypto';

/**
 * Every Redis key and queue name flowline uses, in one place (as BullMQ keeps
 * its own key names in one module). Nothing else builds a key from strings.
 *
 * The BullMQ prefix is wrapped in a hash tag, `{prefix}`, so that all of a
 * queue's keys hash to one slot and BullMQ's multi-key scripts work on Redis Cluster.
 */
export const QueueName = {
  /** node jobs of the built-in types, which every worker serves: one job per (run, node, attempt) */
  NODES: 'nodes',
} as const;

/**
 * The queue of the node jobs of code handlers in one namespace (the part of a
 * handler's name before its first dot: a workflow's name, for the handlers
 * defineWorkflow registers): consumed only by workers that registered them.
 * A namespace of other characters than BullMQ's safe ones is named by its hash.
 */
export function handlerQueueName(namespace: string): string {
  return /^[A-Za-z0-9_-]{1,100}$/.test(namespace) ? `handler.${namespace}` : `handler.h${createHash('sha256').update(namespace).digest('hex').slice(0, 24)}`;
}

/** The BullMQ key prefix of an installation's queues: its FLOWLINE_QUEUE_PREFIX in a hash tag. */
export function bullPrefix(queuePrefix: string): string {
  return `{${queuePrefix}}`;
}

/** Pub/sub channel on which cancel requests reach the workers running the nodes. */
export function abortChannel(queuePrefix: string): string {
  return `{${queuePrefix}}:abort`;
}

/**
 * Deterministic BullMQ job id of a node attempt. BullMQ refuses ':' in custom
 * ids; run short ids are base64url and node names are identifiers, so '.' is safe.
 */
export function nodeJobId(runShortId: string, node: string, attempt: number): string {
  return `${runShortId}.${node}.${attempt}`;
}
