import { z } from 'zod';
import type { RunEvent } from './runState.ts';
import type { NodeSpec } from './spec.ts';
import { Status, statusName } from './status.ts';

/**
 * # Parked nodes
 *
 * Node types whose work is waiting, not running: a `wait` node waits for a
 * named signal, an `approval` node for a person's approve or reject, a
 * `workflow` node for a child run to end. None of them holds a worker slot.
 * When one is due, the engine parks it instead of queueing it (NODE_PARKED:
 * READY → RUNNING with no lease, decided like every status change); it stays
 * RUNNING in Postgres until what it waits for arrives, which is reported as
 * the node's success or failure, the same events a worker sends. Its timeout
 * is the reconciler's, as for any RUNNING node (takeOverAbandonedNodes), and
 * a cancel of its run ends it.
 */
export const ParkedNodeType = {
  WAIT: 'wait',
  APPROVAL: 'approval',
  WORKFLOW: 'workflow',
} as const;
export type ParkedNodeType = (typeof ParkedNodeType)[keyof typeof ParkedNodeType];

/** The parked node types, as a list. */
export const PARKED_NODE_TYPES: readonly string[] = Object.values(ParkedNodeType);

/** What each parked type does, as GET /v1/handlers and the UI say it. */
export const PARKED_DESCRIPTIONS: Record<ParkedNodeType, string> = {
  wait: 'waits, without a worker, for the signal params.signal (default: the node name); its payload is the output',
  approval: 'waits, without a worker, for an operator to approve (output: who and when) or reject (FAIL with the reason)',
  workflow: 'starts a run of params.workflow with params.input and ends as it does, its output the child run’s',
};

/** Whether a node is parked rather than run by a worker. */
export function isParkedNode(spec: Pick<NodeSpec, 'type'>): boolean {
  return PARKED_NODE_TYPES.includes(spec.type);
}

/** Signal names travel in URL paths: identifier-like, as node names. */
export const SIGNAL_NAME_PATTERN = /^[A-Za-z_][A-Za-z0-9_.-]{0,127}$/;

const WaitParamsSchema = z.object({ signal: z.string().regex(SIGNAL_NAME_PATTERN, 'signal names are letters, digits, _ . -').optional() });

/** A `workflow` node's params: the definition to start (by name, in the run's org or the shared catalog) and its input. */
export const ChildWorkflowParamsSchema = z.object({
  workflow: z.string().min(1).max(200),
  input: z.record(z.string(), z.unknown()).default({}),
});

/** The problem with a parked node's params, if any (checked when a definition is stored). */
export function parkedParamsProblem(spec: Pick<NodeSpec, 'type' | 'params'>): string | undefined {
  const schema = spec.type === ParkedNodeType.WORKFLOW ? ChildWorkflowParamsSchema : WaitParamsSchema;
  const parsed = schema.safeParse(spec.params);
  return parsed.success ? undefined : parsed.error.issues.map((i) => `params.${i.path.join('.')}: ${i.message}`).join('; ');
}

/** The signal a `wait` or `approval` node consumes: params.signal, or its own name. */
export function signalNameOf(spec: Pick<NodeSpec, 'name' | 'params'>): string {
  const { signal } = spec.params as { signal?: unknown };
  return typeof signal === 'string' ? signal : spec.name;
}

/** An approval's payload, as the approve and reject routes send it and the node's output records it. */
export const ApprovalDecisionSchema = z.object({
  approved: z.boolean(),
  by: z.string(),
  at: z.string(),
  reason: z.string().max(2000).optional(),
});
/** An approval's decision: approved or not, by whom, when (ISO 8601) and why. */
export type ApprovalDecision = z.infer<typeof ApprovalDecisionSchema>;

/** A parked node's attempt, as the events that end it name it. */
interface ParkedAttempt {
  readonly node: string;
  readonly attempt: number;
  readonly type: string;
}

/**
 * The event a signal taken by a parked node reports: a `wait` succeeds with
 * the payload as its output; an `approval` succeeds with who approved and
 * when, or fails with who rejected it and why. A payload that does not say
 * `approved: true` does not approve.
 */
export function signalEvent(
  node: ParkedAttempt,
  signal: { readonly name: string; readonly payload: unknown; readonly sentBy: string; readonly sentAt: Date },
): RunEvent {
  const report = { node: node.node, attempt: node.attempt };
  if (node.type !== ParkedNodeType.APPROVAL) {
    const result = `signal ${signal.name} received${signal.sentBy ? ` from ${signal.sentBy}` : ''}`;
    return { type: 'NODE_SUCCEEDED', ...report, outcome: { output: signal.payload, result } };
  }
  const said = ApprovalDecisionSchema.partial().safeParse(signal.payload);
  const { approved, by, at, reason } = said.success ? said.data : {};
  const decision: ApprovalDecision = { approved: approved === true, by: by ?? signal.sentBy, at: at ?? signal.sentAt.toISOString(), ...(reason ? { reason } : {}) };
  if (decision.approved) return { type: 'NODE_SUCCEEDED', ...report, outcome: { output: decision, result: `approved by ${decision.by} at ${decision.at}` } };
  const error = `rejected by ${decision.by} at ${decision.at}${reason ? `: ${reason}` : ''}`;
  return { type: 'NODE_FAILED', ...report, failure: 'FAIL', outcome: { output: decision, result: error, error } };
}

/** A child run as its parent's node sees it when it ends. */
export interface EndedChild {
  readonly id: string;
  readonly status: Status;
  /** its output: its last node's, or by name each node's that no other follows */
  readonly output: unknown;
  /** the first error among its nodes, if any */
  readonly error: string | null;
}

/**
 * The event a child run's end reports about the `workflow` node waiting for
 * it: its success with the child's output, its failure with the child's
 * first error, or its cancel. The node fails as FAIL whatever failed the
 * child (its TIMEOUT is the child's, not the node's own).
 */
export function childEndedEvent(node: Omit<ParkedAttempt, 'type'>, child: EndedChild): RunEvent {
  const report = { node: node.node, attempt: node.attempt };
  const ended = `child run ${child.id} ended ${statusName(child.status)}`;
  if (child.status === Status.SUCCESS || child.status === Status.SKIP) return { type: 'NODE_SUCCEEDED', ...report, outcome: { output: child.output, result: ended } };
  if (child.status === Status.CANCEL) return { type: 'NODE_CANCELED', ...report, outcome: { result: ended, error: ended } };
  const error = child.error ? `${ended}: ${child.error}` : ended;
  return { type: 'NODE_FAILED', ...report, failure: 'FAIL', outcome: { result: error, error } };
}
