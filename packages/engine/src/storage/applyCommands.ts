import type { Command } from '../core/runState.ts';
import { Status, TERMINAL_STATUSES } from '../core/status.ts';
import type { ClaimedNode, ClaimRequest } from './claimNodes.ts';
import { successScopeCtes, type RunSuccesses } from './loadSuccessScopes.ts';
import { carriesOutput } from './loadNodeOutputs.ts';
import type { NodeStateRow } from './lockRun.ts';
import type { Queryable } from './database.ts';
import { SqlState, sqlState } from './sqlState.ts';

/** A conditional write matched fewer rows than the decision expected: the state it was made on is stale. */
export class StaleDecision extends Error {
  constructor(what: string) {
    super(`stale decision: ${what}`);
  }
}

/** The commands one transaction decided for one run. */
export interface RunDecision {
  readonly runId: string;
  readonly commands: readonly Command[];
  /** the run's decisionSeq the decision was made on; the write commits only if it still holds */
  readonly decisionSeq?: number;
}

/**
 * Nodes a decision releases (WAIT → READY) that a worker of the deciding
 * process takes in the same write: they go straight to RUNNING under its
 * lease, which saves the claim's round trip and commit. `parents` names the
 * parents whose outputs come back with the claim (those not written by the
 * same statement, whose outputs the caller has).
 */
export interface ReleaseClaims {
  readonly leaseOwner: string;
  readonly leaseMs: number;
  readonly attempts: readonly ReleaseRequest[];
  /**
   * Released nodes the worker will run before claiming them (see UnclaimedRun):
   * they stay READY, and come back with the facts a claim would have answered.
   */
  readonly unclaimed?: readonly ReleaseRequest[];
}

/**
 * A released node to answer a claim's facts for. Its type and parameters are
 * its spec's in the run's pinned definition version, which is what a start
 * writes on the row and nothing changes after, so the caller names them and
 * the statement reads only the row's id and the parents' outputs: a
 * 10,000-wide fan-out's answer is its ids, not 10,000 copies of the run.
 */
export interface ReleaseRequest extends ClaimRequest {
  readonly type: string;
  readonly parameters: Readonly<Record<string, unknown>>;
}

/** The run's facts a claim answers, read once per run of the answered releases. */
type RunFacts = Omit<ClaimedNode, 'nodeId' | 'runId' | 'name' | 'type' | 'attempt' | 'parameters' | 'parentOutputs' | 'input'> & {
  readonly runId: string;
  /** as JSON text: each node parses its own copy */
  readonly input: string;
};

const TERMINAL_SQL = `ARRAY[${TERMINAL_STATUSES.join(',')}]::smallint[]`;

/**
 * One row of the statement's node writes, keyed as the SQL's recordset
 * columns. Every field is always there, undefined where it does not apply
 * (JSON leaves those out, which the SQL reads as NULL): one object shape,
 * built without spreading.
 */
interface NodeWrite {
  readonly runId: string;
  readonly name: string;
  readonly attempt: number;
  readonly from: Status;
  readonly to: Status;
  readonly nextAttempt: number | undefined;
  readonly hasOutcome: boolean;
  readonly result: string | undefined;
  /** the outcome's output as JSON text */
  readonly output: string | undefined;
  readonly error: string | undefined;
  /** the lease the row must still be held by */
  readonly leaseOwner: string | undefined;
  /** a claim: RUNNING under this lease */
  claimOwner: string | undefined;
  claimMs: number | undefined;
  /** the released node's facts are answered (a claim's, or one to run unclaimed), at this position of the answer */
  answer: number | undefined;
  parents: readonly string[] | undefined;
  /** the start of an attempt that ran unclaimed */
  readonly startedAt: Date | undefined;
}

/** One row of the statement's run writes. */
interface RunWrite {
  readonly runId: string;
  from?: Status;
  to?: Status;
  cancelRequested?: boolean;
  seenSeq?: number;
}

const APPLY_COMMANDS = `WITH node_writes AS (
   SELECT * FROM json_to_recordset($2::json) AS x(
     "runId" uuid, name text, attempt int, "from" smallint, "to" smallint, "nextAttempt" int, "hasOutcome" boolean,
     result text, output text, error text, "leaseOwner" text, "claimOwner" text, "claimMs" double precision, answer int,
     parents json, "startedAt" timestamptz)
 ), node_targets AS MATERIALIZED (
   -- Each row is found through its key and written by its row address (see claimNodes): no
   -- cached plan, made on a young table's statistics, can scan the whole table per decision.
   -- The UPDATEs name their rows' addresses as an array too, which only a TID scan serves: a
   -- plain join on ctid was planned, on a young table, as a hash join over the whole primary
   -- key index, and S2's hop grew with every chain run (1.1 → 2.0 ms over 600 chains).
   SELECT t.tid, x.* FROM node_writes x
   CROSS JOIN LATERAL (SELECT ctid AS tid FROM node_runs WHERE run_id = x."runId" AND name = x.name OFFSET 0) AS t
 ), nodes AS (
   -- With an outcome, the attempt's report is stored; without one, a write that starts a new
   -- attempt (rerun) clears the last attempt's timings and outcome, and any other keeps them.
   -- A node claimed as it is released starts RUNNING under the claiming worker's lease.
   UPDATE node_runs n
      SET status = CASE WHEN x."claimOwner" IS NOT NULL THEN ${Status.RUNNING} ELSE x."to" END, updated_at = $1::timestamptz,
          attempt = COALESCE(x."nextAttempt", n.attempt),
          started_at = CASE WHEN x."claimOwner" IS NOT NULL THEN $1::timestamptz WHEN x."startedAt" IS NOT NULL THEN x."startedAt"
                            WHEN NOT x."hasOutcome" AND x."nextAttempt" IS NOT NULL THEN NULL ELSE n.started_at END,
          ended_at = CASE WHEN x."to" = ANY(${TERMINAL_SQL}) THEN $1::timestamptz
                          WHEN x."hasOutcome" OR x."nextAttempt" IS NOT NULL OR x."claimOwner" IS NOT NULL THEN NULL ELSE n.ended_at END,
          result = CASE WHEN x."hasOutcome" THEN COALESCE(x.result, n.result) WHEN x."nextAttempt" IS NOT NULL THEN '' ELSE n.result END,
          output = CASE WHEN x."hasOutcome" THEN x.output::jsonb WHEN x."nextAttempt" IS NOT NULL THEN NULL ELSE n.output END,
          error = CASE WHEN x."hasOutcome" THEN x.error WHEN x."nextAttempt" IS NOT NULL THEN NULL ELSE n.error END,
          lease_owner = x."claimOwner",
          lease_expires_at = $1::timestamptz + make_interval(secs => x."claimMs" / 1000)
     FROM node_targets x
    WHERE n.ctid = ANY(ARRAY(SELECT tid FROM node_targets)) AND n.ctid = x.tid AND n.attempt = x.attempt AND n.status = x."from"
      AND (x."leaseOwner" IS NULL OR n.lease_owner = x."leaseOwner")
    RETURNING n.id, n.run_id, x.answer, x.parents
 ), run_writes AS MATERIALIZED (
   SELECT t.tid, x.* FROM json_to_recordset($3::json) AS x(
     "runId" uuid, "from" smallint, "to" smallint, "cancelRequested" boolean, "seenSeq" int)
   CROSS JOIN LATERAL (SELECT ctid AS tid FROM workflow_runs WHERE id = x."runId" OFFSET 0) AS t
 ), runs AS (
   -- No "to": a cancel request alone, or node writes alone, whatever the run's status.
   -- updated_at moves only with the run's own status or cancel request (the cancel grace runs from it).
   UPDATE workflow_runs r
      SET status = COALESCE(x."to", r.status), decision_seq = r.decision_seq + 1,
          updated_at = CASE WHEN x."to" IS NULL AND x."cancelRequested" IS NULL THEN r.updated_at ELSE $1::timestamptz END,
          end_time = CASE WHEN x."to" = ANY(${TERMINAL_SQL}) THEN $1::timestamptz
                          WHEN x."to" IN (${Status.READY}, ${Status.RUNNING}) THEN NULL ELSE r.end_time END,
          start_time = CASE WHEN x."to" = ${Status.RUNNING} THEN COALESCE(r.start_time, $1::timestamptz) ELSE r.start_time END,
          cancel_requested = COALESCE(x."cancelRequested", r.cancel_requested)
     FROM run_writes x
    WHERE r.ctid = ANY(ARRAY(SELECT tid FROM run_writes)) AND r.ctid = x.tid AND r.id = x."runId" AND (x."from" IS NULL OR r.status = x."from")
      AND (x."seenSeq" IS NULL OR r.decision_seq = x."seenSeq")
    RETURNING 1
 ), written AS (
   SELECT (SELECT count(*)::int FROM nodes) AS nodes, (SELECT count(*)::int FROM runs) AS runs
 ), written_nodes AS (
   SELECT "runId" AS run_id, name FROM node_writes
 ), next_succeeding AS (
   SELECT * FROM json_to_recordset($6::json) AS s(run_id uuid, name text)
 ), next_children AS (
   SELECT * FROM json_to_recordset($7::json) AS c(run_id uuid, name text)
 ), next_ranges AS (
   SELECT * FROM json_to_recordset($8::json) AS r(run_id uuid, child text, lo int, hi int)
 ), ${successScopeCtes('next_', 'written_nodes')}
 SELECT CASE WHEN nodes <> $4::int OR runs <> $5::int THEN
          flowline_stale_decision(format('%s of %s node write(s) and %s of %s run write(s) matched', nodes, $4::int, runs, $5::int)) END AS stale,
        -- One text, not a uuid[]: node-postgres parses an array character by character (1.4 KB of garbage per id).
        (SELECT string_agg(c.id::text, ',' ORDER BY c.answer) FROM nodes c WHERE c.answer IS NOT NULL) AS "answeredIds",
        (SELECT jsonb_object_agg(c.answer, COALESCE(
            (SELECT jsonb_object_agg(p.name, p.output) FROM json_array_elements_text(c.parents) AS q(parent)
               CROSS JOIN LATERAL (SELECT name, output FROM node_runs WHERE run_id = c.run_id AND name = q.parent OFFSET 0) AS p
              WHERE ${carriesOutput('p')}),
            '{}'))
           FROM nodes c WHERE c.parents IS NOT NULL) AS "answeredParentOutputs",
        (SELECT json_agg(json_build_object(
            'runId', r.id, 'definitionId', r.definition_id, 'definitionVersion', r.definition_version, 'workflowName', r.workflow_name,
            'orgId', r.org_id, 'bizId', r.biz_id, 'input', r.input::text, 'cancelRequested', r.cancel_requested, 'traceId', r.trace_id))
           FROM (SELECT DISTINCT run_id FROM nodes WHERE answer IS NOT NULL) a
          CROSS JOIN LATERAL (SELECT * FROM workflow_runs WHERE id = a.run_id OFFSET 0) AS r) AS "answeredRuns",
        (SELECT jsonb_agg(jsonb_build_object('runId', f.run_id, 'name', f.name, 'status', f.status, 'attempt', f.attempt,
                                             'leaseOwner', f.lease_owner) ORDER BY f.run_id, f.position)
           FROM next_found f) AS "nextScope"
   FROM written`;

/**
 * Applies the status commands of decisions — one run's or a batch of runs' —
 * in ONE statement: every node write and every run write of the batch, each
 * conditional on the status (attempt, lease) its decision saw, and on the
 * run's decisionSeq, which the statement bumps: a decision made on state read
 * without the run's lock commits only if no other decision came between. If
 * any write matches nothing, the statement raises (flowline_stale_decision),
 * which undoes all of it — atomic outside a transaction too — and
 * StaleDecision is thrown: the caller decides again on fresh state.
 * Cancelling 10,000 pending nodes, or completing 50 runs' nodes at once, is
 * one round trip.
 *
 * A row is written once per statement, so a batch whose decisions write one
 * row twice is refused as stale, and its events are decided one by one.
 *
 * Answers the nodes claimed as they were released (see ReleaseClaims); a
 * claim names a node the decisions release (WAIT → READY), or is not made.
 * Also answers the runs whose row it wrote, whose decisionSeq it so bumped.
 *
 * `next` asks, in the same statement, for the success scope of nodes (see
 * loadSuccessScopes) as the statement leaves it: the rows it does not write,
 * read in its snapshot, which the caller completes with the rows it writes.
 * A chain's next step, claimed here, is then decided without a read of its own.
 */
export async function applyCommands(
  db: Queryable,
  decisions: readonly RunDecision[],
  now: Date,
  claims: ReleaseClaims = { leaseOwner: '', leaseMs: 0, attempts: [] },
  next: readonly RunSuccesses[] = [],
): Promise<{ claimed: ClaimedNode[]; unclaimed: ClaimedNode[]; nextScope: Map<string, NodeStateRow[]>; runsWritten: ReadonlySet<string> }> {
  const nodes = new Map<string, NodeWrite>();
  // One write per run the decisions write anything of: its decisionSeq, and a status change, a
  // cancel request, or both (the row is written once per statement).
  const runs = new Map<string, RunWrite>();
  const runWrite = (runId: string, seenSeq?: number) => {
    let write = runs.get(runId);
    if (!write) runs.set(runId, (write = { runId, ...(seenSeq === undefined ? {} : { seenSeq }) }));
    return write;
  };
  for (const { runId, commands, decisionSeq } of decisions) {
    for (const command of commands) {
      if (command.type === 'SET_NODE') {
        const key = `${runId}.${command.node}`;
        if (nodes.has(key)) throw new StaleDecision(`node ${command.node} of run ${runId} written twice in one batch`);
        const { node, from, to, attempt, nextAttempt, outcome, leaseOwner, startedAt } = command;
        nodes.set(key, {
          runId, name: node, attempt, from, to, nextAttempt,
          hasOutcome: outcome !== undefined,
          result: outcome?.result,
          output: outcome?.output === undefined ? undefined : JSON.stringify(outcome.output),
          error: outcome?.error,
          leaseOwner, startedAt,
          claimOwner: undefined, claimMs: undefined, answer: undefined, parents: undefined,
        });
        runWrite(runId, decisionSeq);
      } else if (command.type === 'SET_RUN') {
        const write = runWrite(runId, decisionSeq);
        if (write.to !== undefined) throw new StaleDecision(`run ${runId} written twice in one batch`);
        write.from = command.from;
        write.to = command.to;
        if (command.cancelRequested !== undefined) write.cancelRequested ??= command.cancelRequested;
      } else if (command.type === 'REQUEST_CANCEL') {
        runWrite(runId, decisionSeq).cancelRequested = true;
      }
    }
  }
  // The releases answered for, in the order their facts come back: the claims, then those to run unclaimed.
  const answered: { readonly request: ReleaseRequest; readonly claimed: boolean }[] = [];
  const answer = (request: ReleaseRequest, claimed: boolean) => {
    const released = nodes.get(`${request.runId}.${request.node}`);
    if (released?.from !== Status.WAIT || released.to !== Status.READY || released.attempt !== request.attempt) return;
    if (claimed) {
      released.claimOwner = claims.leaseOwner;
      released.claimMs = claims.leaseMs;
    }
    released.answer = answered.length;
    if (request.parents?.length) released.parents = request.parents;
    answered.push({ request, claimed });
  };
  for (const request of claims.attempts) answer(request, true);
  for (const request of claims.unclaimed ?? []) answer(request, false);
  if (nodes.size + runs.size === 0) return { claimed: [], unclaimed: [], nextScope: new Map(), runsWritten: new Set() };
  const result = await db
    .query<{
      answeredIds: string | null;
      answeredParentOutputs: Record<number, Record<string, unknown>> | null;
      answeredRuns: RunFacts[] | null;
      nextScope: (NodeStateRow & { runId: string })[] | null;
    }>({
      name: 'apply-commands',
      text: APPLY_COMMANDS,
      values: [
        now,
        JSON.stringify([...nodes.values()]),
        JSON.stringify([...runs.values()]),
        nodes.size,
        runs.size,
        JSON.stringify(next.flatMap((r) => r.nodes.map((name) => ({ run_id: r.runId, name })))),
        JSON.stringify(next.flatMap((r) => r.children.map((c) => ({ run_id: r.runId, name: c.child })))),
        JSON.stringify(next.flatMap((r) => r.children.flatMap((c) => c.parentRanges.map(([lo, hi]) => ({ run_id: r.runId, child: c.child, lo, hi }))))),
      ],
    })
    .catch((error: unknown) => {
      // Nodes moved off the status decided on, their lease was taken over, or another decision about the run came first.
      throw sqlState(error) === SqlState.STALE_DECISION ? new StaleDecision((error as Error).message) : error;
    });
  const nextScope = new Map<string, NodeStateRow[]>(next.map((r) => [r.runId, []]));
  for (const { runId, name, status, attempt, leaseOwner } of result.rows[0]!.nextScope ?? []) nextScope.get(runId)?.push({ name, status, attempt, leaseOwner });
  const { answeredIds, answeredParentOutputs, answeredRuns } = result.rows[0]!;
  const ids = answeredIds?.split(',') ?? [];
  const runFacts = new Map((answeredRuns ?? []).map((facts) => [facts.runId, facts]));
  const claimedNodes: ClaimedNode[] = [];
  const unclaimedNodes: ClaimedNode[] = [];
  answered.forEach(({ request, claimed }, i) => {
    const run = runFacts.get(request.runId)!;
    // Each node its own copies, as if read from its row; written out field by field, the hot path's one object shape.
    (claimed ? claimedNodes : unclaimedNodes).push({
      nodeId: ids[i]!,
      runId: request.runId,
      name: request.node,
      type: request.type,
      attempt: request.attempt,
      parameters: copyJson(request.parameters),
      definitionId: run.definitionId,
      definitionVersion: run.definitionVersion,
      workflowName: run.workflowName,
      orgId: run.orgId,
      bizId: run.bizId,
      input: parseJson(run.input),
      cancelRequested: run.cancelRequested,
      traceId: run.traceId,
      parentOutputs: request.parents?.length ? (answeredParentOutputs?.[i] ?? {}) : null,
    });
  });
  return {
    claimed: claimedNodes,
    unclaimed: unclaimedNodes,
    nextScope,
    runsWritten: new Set(runs.keys()),
  };
}

/** JSON text parsed; the empty object, which most inputs and parameters are, without the parser. */
function parseJson(text: string): unknown {
  return text === '{}' ? {} : JSON.parse(text);
}

/** A deep copy of a JSON value (see parseJson). */
function copyJson<T extends Readonly<Record<string, unknown>>>(value: T): T {
  for (const key in value) return JSON.parse(JSON.stringify(value)) as T;
  return {} as T;
}
