/**
 * Every Redis key and queue name flowline uses, in one place (as BullMQ keeps
 * its own key names in one module). Nothing else builds a key from strings.
 *
 * The BullMQ prefix is wrapped in a hash tag, `{prefix}`, so that all of a
 * queue's keys hash to one slot and BullMQ's multi-key scripts work on Redis Cluster.
 */
export const QueueName = {
  /** node jobs: one job per (run, node, attempt) */
  NODES: 'nodes',
} as const;

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
