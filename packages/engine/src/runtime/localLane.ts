import type { NodeDispatch } from '../queue/nodeQueue.ts';
import type { ClaimedAttempt } from './claimedAttempt.ts';

/**
 * An attempt due now, handed to a worker of this process instead of Redis,
 * with what the dispatcher knows of it. Only its address (a NodeDispatch)
 * ever goes to Redis; the rest lives in this process.
 */
export interface LocalAttempt extends NodeDispatch {
  /** its parents, when the dispatcher knows them: the claim then reads their outputs too */
  readonly parents?: readonly string[];
  /** its parents' outputs, when all of them were reported in the decision that made it due: the claim reads none */
  readonly parentOutputs?: Readonly<Record<string, unknown>>;
  /**
   * Its facts as a claim would answer them, when the decision that released
   * it read them: it may start before its claim (core/claim.ts, ClaimWay.AFTER_START).
   */
  readonly facts?: ClaimedAttempt;
  /** the decision's write handed it to this lane: its row names the lane, until a claim or `releaseHanded` */
  readonly handed?: boolean;
}

/**
 * Slots a local lane holds for one decision's releases: that many released
 * nodes are claimed for its worker in the decision's own write
 * (ClaimWay.AT_RELEASE). Exactly one of `fill` or `cancel` is called.
 */
export interface SlotReservation {
  /** free slots held: that many released nodes are claimed for this lane in the write */
  readonly held: number;
  /**
   * room of the local queue promised: as many of the other released nodes are
   * handed to this lane in the write (their rows name it, with their facts
   * answered), and only it may start them before their claim
   */
  readonly queued: number;
  /**
   * After commit: runs the attempts claimed into the held slots (at most
   * `held`), frees the slots none was claimed into, and takes the decision's
   * other due attempts; answers those it did not take, for Redis.
   */
  fill(claimed: readonly ClaimedAttempt[], due: readonly LocalAttempt[]): readonly LocalAttempt[];
  /** The write did not commit: every held slot is freed. */
  cancel(): void;
}

/**
 * A worker sharing the engine's process, as the engine sees it (the worker's
 * side is `packages/worker/src/localLane.ts`). The engine hands it what its
 * decisions and starts make runnable, instead of Redis: at most two calls per
 * decision — `reserve` before the write, then the reservation's `fill` after
 * commit — and one, `take`, per batch of starts.
 */
export interface LocalLane {
  /** the lease owner nodes claimed for this lane are written under */
  readonly leaseOwner: string;
  readonly leaseMs: number;
  /** Holds up to `count` free slots for nodes claimed as they are released. */
  reserve(count: number): SlotReservation;
  /** Runs or queues due attempts here; answers those it did not take, which go to Redis. */
  take(attempts: readonly LocalAttempt[]): readonly LocalAttempt[];
}
