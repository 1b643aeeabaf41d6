import { createHash } from 'node:crypto';

/**
 * Every Redis key and queue name flowline uses, in one place (as BullMQ keeps
 * its own key names in one module). Nothing else builds a key from strings.
 *
 * Slots on a Redis Cluster (REDIS_CLUSTER_NODES): every key of an
 * installation starts with its FLOWLINE_QUEUE_PREFIX in a hash tag,
 * `{prefix}:<queue>:<BullMQ's suffix>`, so all of them — every queue's wait,
 * active, delayed, prioritized and stalled lists, its job hashes, locks,
 * events stream and meta — hash to the one slot of `prefix`:
 * - BullMQ's Lua scripts name keys of one queue together (moveToActive reads
 *   wait and writes active, a job hash and its lock); Redis Cluster runs a
 *   script only when all its keys are in one slot (else CROSSSLOT).
 * - One tag per installation, not per queue: an installation's keys are then
 *   one node's to list or delete (see testing/installationKeys.ts), and a
 *   queue opened for a new handler namespace needs no slot of its own. The cost: one installation's queue
 *   traffic is one master's; installations (prefixes) spread over masters.
 * The abort channel is not a key: a PUBLISH on a cluster reaches every
 * node's subscribers, whichever slot its name hashes to; it carries the tag
 * only so that every name of an installation reads alike.
 */
export const QueueName = {
  /** node jobs of the built-in types, which every worker serves: one job per (run, node, attempt), or per batch of them due at once (nodeQueue.ts) */
  NODES: 'nodes',
  /**
   * not a Redis queue: the route of parked nodes (core/parkedNode.ts), which no
   * worker consumes and nothing adds to Redis; the engine parks them in Postgres
   */
  PARKED: 'parked',
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

/**
 * Deterministic BullMQ job id of a batch of node attempts (see nodeQueue.ts):
 * its first attempt's id and its size, so the same batch dispatched twice (a
 * retried dispatch) is one job. '+' is neither base64url nor in node names.
 */
export function batchJobId(firstAttemptJobId: string, size: number): string {
  return `${firstAttemptJobId}+${size}`;
}
