import { ClaimWay } from '../../core/claim.ts';
import type { Dag } from '../../core/dag.ts';
import { parentsOf } from '../../core/mapElements.ts';
import { Status } from '../../core/status.ts';
import { attemptKey, claimNodes, takenRunRow, type ClaimRequest, type TakenNode } from '../../storage/claimNodes.ts';
import { loadNodeOutputs } from '../../storage/loadNodeOutputs.ts';
import type { NodeAttempt } from '../../storage/nodeAttempt.ts';
import { isRetryableTransactionError } from '../../storage/sqlState.ts';
import type { ClaimedAttempt } from '../claimedAttempt.ts';
import type { EngineResources } from '../engineResources.ts';
import { GroupCommit } from '../groupCommit.ts';

/** A worker's lease: the owner name its claims are written under, and how long each lasts without a heartbeat. */
export interface WorkerLease {
  readonly owner: string;
  readonly ms: number;
}

/** An attempt to claim and run: a queue job's address, or a local attempt naming its parents or carrying their outputs. */
export interface AttemptToClaim extends ClaimRequest {
  readonly parentOutputs?: Readonly<Record<string, unknown>>;
}

/** One claim of a batch: of an attempt to run (answered with its facts), or of one already started (answered whether it is held). */
type ClaimItem = { readonly attempt: AttemptToClaim; readonly started: false } | { readonly attempt: NodeAttempt; readonly started: true };

/** How often a claim batch that hit a deadlock or serialization failure is tried again before its claims fail. */
const CLAIM_ATTEMPTS = 3;

/**
 * The claims of one worker (core/claim.ts, ClaimWay.TAKEN and AFTER_START):
 * every attempt it takes from the queue or its local lane, and every attempt
 * it started before claiming, is claimed here, group-committed into one
 * `claimNodes` statement per batch under the worker's lease. (Claims at
 * release, ClaimWay.AT_RELEASE, are written by the releasing decision's own
 * statement, with the same columns.)
 */
export class ClaimSystem {
  /** Claims asked for while a batch is being written are written together next. */
  private readonly batches = new GroupCommit<ClaimItem, ClaimedAttempt | boolean | undefined>((items) => this.claimBatch(items));

  constructor(
    private readonly resources: EngineResources,
    private readonly lease: WorkerLease,
  ) {}

  /** Claims an attempt to run: its facts, or undefined when it is no longer READY on that attempt (the job is stale). */
  async claim(attempt: AttemptToClaim): Promise<ClaimedAttempt | undefined> {
    return (await this.batches.submit({ attempt, started: false })) as ClaimedAttempt | undefined;
  }

  /** Claims an attempt started before its claim (ClaimWay.AFTER_START): whether it is this worker's now; rejects when the claim could not be written. */
  async claimStarted(attempt: NodeAttempt): Promise<boolean> {
    return (await this.batches.submit({ attempt, started: true })) as boolean;
  }

  /**
   * Claims a batch in one statement, which also brings back the parents'
   * outputs of those whose request named their parents; the parents' outputs
   * of the rest of the attempts to run (queue jobs carry only an address) are
   * read in one more. An attempt asked for twice in one batch (a stalled job
   * re-delivered) is claimed once: the first ask is answered.
   */
  private async claimBatch(items: readonly ClaimItem[]): Promise<PromiseSettledResult<ClaimedAttempt | boolean | undefined>[]> {
    const known = new Map<string, Readonly<Record<string, unknown>>>();
    const requests = items.map(({ attempt, started }): ClaimRequest => {
      const { runId, node, attempt: number } = attempt;
      if (started) return { runId, node, attempt: number };
      const { parentOutputs } = attempt as AttemptToClaim;
      if (!parentOutputs) return attempt;
      known.set(attemptKey(attempt), parentOutputs);
      return { runId, node, attempt: number };
    });
    const now = this.resources.now();
    const claimed = await this.claimNodes(requests, now);
    // A claim writes its node alone: its run, if READY and undecided, shows RUNNING a moment later unless a decision writes it first.
    for (const node of claimed.values()) if (node.runStatus === Status.READY && node.decisionSeq === 0) this.resources.runStarts.claimed(node.runId, now);
    const toRun = new Set(items.flatMap(({ attempt, started }) => (started ? [] : [attemptKey(attempt)])));
    const dags = new Map<TakenNode, Dag>();
    for (const [key, node] of claimed) {
      if (!toRun.has(key)) continue;
      const dag = await this.resources.definitions.dag(node.definitionId, node.definitionVersion);
      dags.set(node, dag);
      // A run no decision has changed is known from its DAG: its first success here needs no read.
      this.resources.known.recordUndecided(takenRunRow(node), dag);
    }
    const unread = [...dags].filter(([node]) => node.parentOutputs === null && !known.has(attemptKey({ runId: node.runId, node: node.name, attempt: node.attempt })));
    const outputs = await loadNodeOutputs(
      this.resources.db.pool,
      unread.map(([node, dag]) => ({ runId: node.runId, nodes: parentsOf(dag, node.name) })),
    );
    const answered = new Set<string>();
    let taken = 0;
    let startedFirst = 0;
    const answers = items.map(({ attempt, started }): PromiseSettledResult<ClaimedAttempt | boolean | undefined> => {
      const key = attemptKey(attempt);
      const node = claimed.get(key);
      const first = node !== undefined && !answered.has(key);
      answered.add(key);
      if (started) {
        if (first) startedFirst++;
        return { status: 'fulfilled', value: first };
      }
      if (!first) return { status: 'fulfilled', value: undefined };
      taken++;
      const dag = dags.get(node)!;
      const read = known.get(key) ?? node.parentOutputs ?? outputs.get(node.runId) ?? {};
      const parents = Object.fromEntries(parentsOf(dag, node.name).map((p) => [p, read[p] ?? null]));
      return { status: 'fulfilled', value: { claimed: node, dag, parents } };
    });
    const { nodeClaims } = this.resources.metrics;
    if (taken > 0) nodeClaims.inc({ way: ClaimWay.TAKEN }, taken);
    if (startedFirst > 0) nodeClaims.inc({ way: ClaimWay.AFTER_START }, startedFirst);
    return answers;
  }

  /** One claim statement, tried again on a deadlock or serialization failure. */
  private async claimNodes(attempts: readonly ClaimRequest[], now: Date): Promise<Map<string, TakenNode>> {
    for (let attempt = 1; ; attempt++) {
      try {
        return await claimNodes(this.resources.db.pool, { attempts, leaseOwner: this.lease.owner, leaseMs: this.lease.ms, now });
      } catch (error) {
        if (!isRetryableTransactionError(error) || attempt >= CLAIM_ATTEMPTS) throw error;
      }
    }
  }
}
