import type { Command, NodeStateRow } from '../core/runState.ts';
import { Status, TERMINAL_STATUSES } from '../core/status.ts';
import type { SuccessScopeRequest } from '../core/successScope.ts';
import { claimAssignments } from './claimSql.ts';
import type { ClaimedNode, ClaimRequest } from './claimNodes.ts';
import type { Queryable } from './database.ts';
import { carriesOutput } from './loadNodeOutputs.ts';
import { SqlState, sqlState } from './sqlState.ts';
import { statusArraySql } from './statusSql.ts';
import { successScopeCtes } from './successScopeSql.ts';

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
  readonly decisionSeq: number;
}

/**
 * A released node (WAIT → READY in the decisions) whose facts the statement
 * answers: claimed for the deciding process's worker, or to be run by it
 * before its claim. Its type and parameters are its spec's in the run's
 * pinned definition version, which is what a start writes on the row and
 * nothing changes after, so the caller names them and the statement reads
 * only the row's id and the parents' outputs: a 10,000-wide fan-out's answer
 * is its ids, not 10,000 copies of the run. `parents` names the parents whose
 * outputs come back (those not reported in the same decisions).
 */
export interface ReleaseRequest extends ClaimRequest {
  readonly type: string;
  readonly parameters: Readonly<Record<string, unknown>>;
}

/** The released nodes the statement answers for (see ReleaseRequest), and the lease the claimed ones are taken under. */
export interface ReleaseClaims {
  /** the lease owner claims at release are written under: the deciding process's worker */
  readonly leaseOwner: string;
  readonly leaseMs: number;
  /** claimed at release (core/claim.ts, ClaimWay.AT_RELEASE): the write walks them WAIT → READY → RUNNING */
  readonly attempts: readonly ReleaseRequest[];
  /** left READY, to be started before their claim (ClaimWay.AFTER_START): only their facts are answered */
  readonly unclaimed?: readonly ReleaseRequest[];
}

/** What a committed write answers. */
export interface AppliedCommands {
  /** the facts of the nodes claimed at release, in request order (a claim not made is left out) */
  readonly claimed: ClaimedNode[];
  /** the facts of the released nodes to start before their claim */
  readonly unclaimed: ClaimedNode[];
  /** per run of `readAhead`, the rows of the success scope the statement did not write, as it left them */
  readonly nextScope: Map<string, NodeStateRow[]>;
  /** the runs whose row the statement wrote, whose decisionSeq it so bumped */
  readonly runsWritten: ReadonlySet<string>;
}

/** The run's facts a claim answers, read once per run of the answered releases. */
type RunFacts = Omit<ClaimedNode, 'nodeId' | 'runId' | 'name' | 'type' | 'attempt' | 'parameters' | 'parentOutputs' | 'input'> & {
  readonly runId: string;
  /** as JSON text: each node parses its own copy */
  readonly input: string;
};

/**
 * One row of `$2`, keyed as the SQL's recordset columns. Every field is
 * always there, undefined where it does not apply (JSON leaves those out,
 * which the SQL reads as NULL): one object shape, built without spreading.
 */
interface NodeWrite {
  readonly runId: string;
  readonly name: string;
  /** the attempt the row must still be on */
  readonly attempt: number;
  /** the status the row must still be in */
  readonly from: Status;
  readonly to: Status;
  /** a write that starts a new attempt (retry, rerun) */
  readonly nextAttempt: number | undefined;
  /** with nextAttempt: the status the ending attempt ended in, for its history row */
  readonly ended: Status | undefined;
  /** with nextAttempt: the ending attempt was lost to the platform */
  readonly lost: boolean;
  /** with nextAttempt: who ran the ending attempt, when the row's lease no longer says */
  readonly ranBy: string | undefined;
  /** the node is to be skipped once reached */
  readonly requestSkip: boolean | undefined;
  readonly hasOutcome: boolean;
  readonly result: string | undefined;
  /** the outcome's output as JSON text */
  readonly output: string | undefined;
  readonly error: string | undefined;
  /** the lease the row must still be held by */
  readonly leaseOwner: string | undefined;
  /** the start of an attempt that ran before its claim */
  readonly startedAt: Date | undefined;
  /** the run's decisionSeq after this write (the seq seen + 1): the row's decided_seq */
  readonly seq: number;
  /** claimed at release, under `$9`'s lease */
  claimed: boolean;
  /** the released node's facts are answered, at this position of the answer */
  answer: number | undefined;
  parents: readonly string[] | undefined;
}

/** One row of `$3`: a run's write, at most one per run. */
interface RunWrite {
  readonly runId: string;
  from?: Status;
  to?: Status;
  cancelRequested?: boolean;
  /** the decisionSeq the row must still have */
  readonly seenSeq: number;
}

// The statement's parts, named; `APPLY_COMMANDS` below puts them together.

/** $2 as rows, each found through its key and addressed by its row address (partition and ctid: a ctid is unique only within one). */
const NODE_TARGETS = `node_writes AS (
   SELECT * FROM json_to_recordset($2::json) AS x(
     "runId" uuid, name text, attempt int, "from" smallint, "to" smallint, "nextAttempt" int, ended smallint, lost boolean, "ranBy" text,
     "requestSkip" boolean,
     "hasOutcome" boolean, result text, output text, error text, "leaseOwner" text, "startedAt" timestamptz, seq int, claimed boolean,
     answer int, parents json)
 ), node_targets AS MATERIALIZED (
   -- Each row is found through its key and written by its row address (see claimNodes): no
   -- cached plan, made on a young table's statistics, can scan the whole table per decision.
   -- The UPDATEs name their rows' addresses as an array too, which only a TID scan serves: a
   -- plain join on ctid was planned, on a young table, as a hash join over the whole primary
   -- key index, and S2's hop grew with every chain run (1.1 → 2.0 ms over 600 chains).
   SELECT t.part, t.tid, x.* FROM node_writes x
   CROSS JOIN LATERAL (SELECT tableoid AS part, ctid AS tid FROM node_runs WHERE run_id = x."runId" AND name = x.name OFFSET 0) AS t
 )`;

/** Every node write that is not a claim: status, attempt, timings, outcome; the lease is released. */
const NODE_UPDATES = `node_updates AS (
   -- With an outcome, the attempt's report is stored; without one, a write that starts a new
   -- attempt (rerun) clears the last attempt's timings and outcome, and any other keeps them.
   UPDATE node_runs n
      SET status = x."to", updated_at = $1::timestamptz, decided_seq = x.seq,
          attempt = COALESCE(x."nextAttempt", n.attempt),
          started_at = CASE WHEN x."startedAt" IS NOT NULL THEN x."startedAt"
                            WHEN NOT x."hasOutcome" AND x."nextAttempt" IS NOT NULL THEN NULL ELSE n.started_at END,
          ended_at = CASE WHEN x."to" = ANY(${statusArraySql(TERMINAL_STATUSES)}) THEN $1::timestamptz
                          WHEN x."hasOutcome" OR x."nextAttempt" IS NOT NULL THEN NULL ELSE n.ended_at END,
          result = CASE WHEN x."hasOutcome" THEN COALESCE(x.result, n.result) WHEN x."nextAttempt" IS NOT NULL THEN '' ELSE n.result END,
          output = CASE WHEN x."hasOutcome" THEN x.output::jsonb WHEN x."nextAttempt" IS NOT NULL THEN NULL ELSE n.output END,
          error = CASE WHEN x."hasOutcome" THEN x.error WHEN x."nextAttempt" IS NOT NULL THEN NULL ELSE n.error END,
          -- A released node handed to the deciding process's lane (answered, not claimed) names it until claimed.
          lease_owner = CASE WHEN x.answer IS NOT NULL THEN NULLIF($9::text, '') END, lease_expires_at = NULL,
          lost_attempts = n.lost_attempts + CASE WHEN x.lost THEN 1 ELSE 0 END,
          skip_requested = n.skip_requested OR COALESCE(x."requestSkip", false)
     FROM node_targets x
    WHERE n.ctid = ANY(ARRAY(SELECT tid FROM node_targets WHERE NOT claimed)) AND n.ctid = x.tid AND n.tableoid = x.part AND NOT x.claimed
      AND n.attempt = x.attempt AND n.status = x."from" AND (x."leaseOwner" IS NULL OR n.lease_owner = x."leaseOwner")
    RETURNING n.id, n.run_id, x.answer, x.parents, n.started_at
 )`;

/**
 * The attempts the writes end by starting the next one (retry, re-run after a
 * lost attempt, rerun), each into its history row as the row held it before
 * this statement (every part of one statement reads the same snapshot).
 */
const ATTEMPT_HISTORY = `attempt_history AS (
   INSERT INTO node_attempts (run_id, node, attempt, status, lost, error, result, started_at, ended_at, worker)
   SELECT n.run_id, n.name, x.attempt, x.ended, x.lost,
          CASE WHEN x."hasOutcome" THEN x.error ELSE n.error END,
          CASE WHEN x."hasOutcome" THEN COALESCE(x.result, n.result) ELSE n.result END,
          n.started_at, CASE WHEN x."hasOutcome" THEN $1::timestamptz ELSE n.ended_at END, COALESCE(x."ranBy", n.lease_owner)
     FROM node_targets x JOIN node_runs n ON n.ctid = x.tid AND n.tableoid = x.part
    WHERE n.ctid = ANY(ARRAY(SELECT tid FROM node_targets WHERE "nextAttempt" IS NOT NULL)) AND x."nextAttempt" IS NOT NULL
   ON CONFLICT DO NOTHING
 )`;

/** The releases claimed at release: the one claim (claimSql.ts), from the WAIT the decision saw. */
const CLAIM_UPDATES = `claim_updates AS (
   UPDATE node_runs n
      SET ${claimAssignments('$1::timestamptz', '$9::text', '$10::double precision')}, decided_seq = x.seq
     FROM node_targets x
    WHERE n.ctid = ANY(ARRAY(SELECT tid FROM node_targets WHERE claimed)) AND n.ctid = x.tid AND n.tableoid = x.part AND x.claimed
      AND n.attempt = x.attempt AND n.status = x."from"
    RETURNING n.id, n.run_id, x.answer, x.parents, n.started_at
 ), nodes AS (
   SELECT * FROM node_updates UNION ALL SELECT * FROM claim_updates
 )`;

/** A run's status before and after a claim's mark (runtime/runStartMarks.ts), which no decision tells apart. */
const STARTED_OR_NOT = `${Status.READY}, ${Status.RUNNING}`;

/** $3 as rows; each run's write bumps its decisionSeq, conditional on the one seen. */
const RUN_UPDATES = `run_writes AS MATERIALIZED (
   SELECT t.tid, x.* FROM json_to_recordset($3::json) AS x(
     "runId" uuid, "from" smallint, "to" smallint, "cancelRequested" boolean, "seenSeq" int)
   CROSS JOIN LATERAL (SELECT ctid AS tid FROM workflow_runs WHERE id = x."runId" OFFSET 0) AS t
 ), runs AS (
   -- No "to": a cancel request alone, or node writes alone, whatever the run's status.
   -- updated_at moves only with the run's own status or cancel request (the cancel grace runs from it).
   -- A claim does not move its run (runtime/runStartMarks.ts): a run may end straight from READY, its
   -- start then its nodes' earliest as this statement leaves them, and a decision made on READY applies
   -- to RUNNING alike (and the other way): only a claim's mark, no decision, tells them apart.
   UPDATE workflow_runs r
      SET status = COALESCE(x."to", r.status), decision_seq = r.decision_seq + 1,
          updated_at = CASE WHEN x."to" IS NULL AND x."cancelRequested" IS NULL THEN r.updated_at ELSE $1::timestamptz END,
          end_time = CASE WHEN x."to" = ANY(${statusArraySql(TERMINAL_STATUSES)}) THEN $1::timestamptz
                          WHEN x."to" IN (${Status.READY}, ${Status.RUNNING}) THEN NULL ELSE r.end_time END,
          -- Started (or ended straight from READY): its nodes' earliest start; a run started with none, now.
          start_time = CASE WHEN x."to" = ${Status.RUNNING} OR (r.status = ${Status.READY} AND x."to" = ANY(${statusArraySql(TERMINAL_STATUSES)}))
                            THEN COALESCE(r.start_time, (SELECT min(u.started_at) FROM nodes u WHERE u.run_id = r.id),
                                          CASE WHEN x."to" = ${Status.RUNNING} THEN $1::timestamptz END)
                            ELSE r.start_time END,
          cancel_requested = COALESCE(x."cancelRequested", r.cancel_requested)
     FROM run_writes x
    WHERE r.ctid = ANY(ARRAY(SELECT tid FROM run_writes)) AND r.ctid = x.tid AND r.id = x."runId"
      AND (x."from" IS NULL OR r.status = x."from"
           OR (x."from" IN (${STARTED_OR_NOT}) AND r.status IN (${STARTED_OR_NOT})))
      AND r.decision_seq = x."seenSeq"
    RETURNING 1
 )`;

/** $6–$8: the success scope (core/successScope.ts) of the steps claimed here, read in the statement's snapshot past the rows it writes. */
const READ_AHEAD = `written_nodes AS (
   SELECT "runId" AS run_id, name FROM node_writes
 ), next_succeeding AS (
   SELECT * FROM json_to_recordset($6::json) AS s(run_id uuid, name text)
 ), next_children AS (
   SELECT * FROM json_to_recordset($7::json) AS c(run_id uuid, name text)
 ), next_ranges AS (
   SELECT * FROM json_to_recordset($8::json) AS r(run_id uuid, child text, lo int, hi int)
 ), ${successScopeCtes('next_', 'written_nodes')}`;

/** The answer: raise if any write missed ($4, $5), else the answered releases' facts and the read-ahead. */
const ANSWER = `SELECT CASE WHEN nodes <> $4::int OR runs <> $5::int THEN
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
                                             'leaseOwner', f.lease_owner, 'skipRequested', f.skip_requested) ORDER BY f.run_id, f.position)
           FROM next_found f) AS "nextScope"
   FROM (SELECT (SELECT count(*)::int FROM nodes) AS nodes, (SELECT count(*)::int FROM runs) AS runs) AS written`;

const APPLY_COMMANDS = `WITH ${NODE_TARGETS}, ${NODE_UPDATES}, ${ATTEMPT_HISTORY}, ${CLAIM_UPDATES}, ${RUN_UPDATES}, ${READ_AHEAD}
 ${ANSWER}`;

/**
 * # applyCommands: write a batch of decisions in one statement
 *
 * Writes the status commands of decisions — one run's or many runs' — in ONE
 * statement, so it is atomic without a transaction of its own and costs one
 * round trip however many rows it writes (cancelling 10,000 pending nodes,
 * completing 50 runs' nodes). Every decision's writes go through it; no other
 * statement writes a node's or a run's status on a decision's behalf.
 *
 * Input (the statement's parameters):
 * - `$1` now: every timestamp written.
 * - `$2` node writes, one per SET_NODE command (NodeWrite): each conditional
 *   on the row's status (`from`), attempt and — for a report — lease holder;
 *   with its outcome, its next attempt (the ending one written to its
 *   history, node_attempts), or its start before a claim. Each row is
 *   stamped with the decisionSeq its run's write leaves (`decided_seq`). The
 *   released nodes named in `claims` are marked: claimed at release (the one
 *   claim's columns, claimSql.ts) or answered only.
 * - `$3` run writes, one per run written (RunWrite): its status change and
 *   cancel request if any, conditional on the status and on the decisionSeq
 *   the decision saw; every run write bumps the decisionSeq.
 * - `$4`, `$5` how many node and run writes must match.
 * - `$6`–`$8` the read-ahead: the success scope requests (`readAhead`) of the
 *   steps claimed here, as SuccessScopeRequest rows.
 * - `$9`, `$10` the lease owner and lease length of the claims at release.
 *
 * Output (AppliedCommands): the facts of the released nodes answered (claimed
 * ones and ones to start before their claim, each with its parents' outputs
 * and its run's facts), the read-ahead's rows, and the runs written.
 *
 * Outcomes:
 * - **written**: every write matched; the answer above.
 * - **stale** (SQLSTATE FL409, raised by `flowline_stale_decision`, thrown as
 *   StaleDecision): some write matched nothing — a node moved off the status
 *   decided on, its lease was taken over, another decision about the run came
 *   first (decisionSeq) — and the whole statement is undone. The caller
 *   decides again on fresh state. So is a batch whose decisions write one row
 *   twice (a row is written once per statement), before anything is sent.
 * - **nothing to write**: no command changes a row; nothing is sent.
 * - anything else Postgres raises (deadlock, connection lost) is thrown as is.
 */
export async function applyCommands(
  db: Queryable,
  decisions: readonly RunDecision[],
  now: Date,
  claims: ReleaseClaims = { leaseOwner: '', leaseMs: 0, attempts: [] },
  readAhead: readonly SuccessScopeRequest[] = [],
): Promise<AppliedCommands> {
  const { nodes, runs } = writesOf(decisions);
  const answered = markAnswered(nodes, claims);
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
        JSON.stringify(readAhead.flatMap((r) => r.nodes.map((name) => ({ run_id: r.runId, name })))),
        JSON.stringify(readAhead.flatMap((r) => r.children.map((c) => ({ run_id: r.runId, name: c.child })))),
        JSON.stringify(readAhead.flatMap((r) => r.children.flatMap((c) => c.parentRanges.map(([lo, hi]) => ({ run_id: r.runId, child: c.child, lo, hi }))))),
        claims.leaseOwner,
        claims.leaseMs,
      ],
    })
    .catch((error: unknown) => {
      throw sqlState(error) === SqlState.STALE_DECISION ? new StaleDecision((error as Error).message) : error;
    });
  const row = result.rows[0]!;
  const nextScope = new Map<string, NodeStateRow[]>(readAhead.map((r) => [r.runId, []]));
  for (const { runId, name, status, attempt, leaseOwner, skipRequested } of row.nextScope ?? []) nextScope.get(runId)?.push({ name, status, attempt, leaseOwner, skipRequested });
  return { ...answeredFacts(answered, row), nextScope, runsWritten: new Set(runs.keys()) };
}

/** The rows `$2` and `$3` of decisions: one write per node and per run, refused as stale if a batch writes one twice. */
function writesOf(decisions: readonly RunDecision[]): { nodes: Map<string, NodeWrite>; runs: Map<string, RunWrite> } {
  const nodes = new Map<string, NodeWrite>();
  // One write per run the decisions write anything of: its decisionSeq, and a status change, a
  // cancel request, or both (the row is written once per statement).
  const runs = new Map<string, RunWrite>();
  const runWrite = (runId: string, seenSeq: number) => {
    let write = runs.get(runId);
    if (!write) runs.set(runId, (write = { runId, seenSeq }));
    return write;
  };
  for (const { runId, commands, decisionSeq } of decisions) {
    for (const command of commands) {
      if (command.type === 'SET_NODE') {
        // The row is stamped with the seq its run's write leaves (that write is conditional on the seq seen).
        const key = `${runId}.${command.node}`;
        if (nodes.has(key)) throw new StaleDecision(`node ${command.node} of run ${runId} written twice in one batch`);
        const { node, from, to, attempt, nextAttempt, ended, lost, ranBy, requestSkip, outcome, leaseOwner, startedAt } = command;
        nodes.set(key, {
          runId, name: node, attempt, from, to, nextAttempt, ended, lost: lost === true, ranBy, requestSkip,
          hasOutcome: outcome !== undefined,
          result: outcome?.result,
          output: outcome?.output === undefined ? undefined : JSON.stringify(outcome.output),
          error: outcome?.error,
          leaseOwner, startedAt, seq: decisionSeq + 1,
          claimed: false, answer: undefined, parents: undefined,
        });
        runWrite(runId, decisionSeq);
      } else if (command.type === 'SET_RUN') {
        const write = runWrite(runId, decisionSeq);
        // Events of one run decided in turn may move it twice (READY → RUNNING, then its end): one write, first from to last to.
        if (write.to !== undefined && write.to !== command.from) throw new StaleDecision(`run ${runId} written twice in one batch`);
        write.from ??= command.from;
        write.to = command.to;
        if (command.cancelRequested !== undefined) write.cancelRequested ??= command.cancelRequested;
      } else if (command.type === 'REQUEST_CANCEL') {
        runWrite(runId, decisionSeq).cancelRequested = true;
      }
    }
  }
  return { nodes, runs };
}

interface Answered {
  readonly request: ReleaseRequest;
  readonly claimed: boolean;
}

/**
 * Marks the node writes of the releases answered for, in the order their
 * facts come back: the claims, then those to start before their claim. A
 * request that names no release (WAIT → READY on its attempt) of the
 * decisions is not answered: no claim is made for it.
 */
function markAnswered(nodes: ReadonlyMap<string, NodeWrite>, claims: ReleaseClaims): Answered[] {
  const answered: Answered[] = [];
  const answer = (request: ReleaseRequest, claimed: boolean) => {
    const released = nodes.get(`${request.runId}.${request.node}`);
    if (released?.from !== Status.WAIT || released.to !== Status.READY || released.attempt !== request.attempt) return;
    released.claimed = claimed;
    released.answer = answered.length;
    if (request.parents?.length) released.parents = request.parents;
    answered.push({ request, claimed });
  };
  for (const request of claims.attempts) answer(request, true);
  for (const request of claims.unclaimed ?? []) answer(request, false);
  return answered;
}

/** The answered releases as their claims' facts, split into claimed and to start before their claim. */
function answeredFacts(
  answered: readonly Answered[],
  { answeredIds, answeredParentOutputs, answeredRuns }: { answeredIds: string | null; answeredParentOutputs: Record<number, Record<string, unknown>> | null; answeredRuns: RunFacts[] | null },
): Pick<AppliedCommands, 'claimed' | 'unclaimed'> {
  const ids = answeredIds?.split(',') ?? [];
  const runFacts = new Map((answeredRuns ?? []).map((facts) => [facts.runId, facts]));
  const claimed: ClaimedNode[] = [];
  const unclaimed: ClaimedNode[] = [];
  answered.forEach(({ request, claimed: isClaimed }, i) => {
    const run = runFacts.get(request.runId)!;
    // Each node its own copies, as if read from its row; written out field by field, the hot path's one object shape.
    (isClaimed ? claimed : unclaimed).push({
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
      // No element is released by this statement (see DispatchSystem's dueReleases).
      item: null,
    });
  });
  return { claimed, unclaimed };
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
