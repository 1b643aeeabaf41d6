import type { NodeStateRow } from './runState.ts';
import { Status } from './status.ts';

/**
 * # Claims
 *
 * A claim gives a node attempt to one worker: READY → RUNNING under the
 * worker's lease. It is not a decision — it changes no other row and leaves
 * the run's decisionSeq alone — so it never waits for the run's lock, and two
 * takers of one attempt are told apart only by this rule: an attempt may be
 * claimed only while its row is READY on that very attempt. Whoever's write
 * finds it so holds it; everyone else's finds nothing and drops the attempt.
 *
 * A node becomes RUNNING in one of three ways, all under this rule:
 *
 * 1. **Claimed when taken** (`ClaimWay.TAKEN`): a worker takes a queue job or
 *    a local attempt and claims it before running it (`storage/claimNodes.ts`).
 * 2. **Claimed at release** (`ClaimWay.AT_RELEASE`): the decision that
 *    releases a node (WAIT → READY) claims it for a worker of the deciding
 *    process in its own write, which walks WAIT → READY → RUNNING
 *    (`storage/applyCommands.ts`): a chain's next step costs no claim of its own.
 * 3. **Started before its claim** (`ClaimWay.AFTER_START`): a local attempt
 *    released a moment ago runs at once; if it is still running a moment later
 *    it is claimed as in 1, and if it ends first, its success's write walks
 *    READY → RUNNING → SUCCESS (see `UnclaimedRun` in runState.ts).
 *
 * Both SQL statements that claim write the same columns (`storage/claimSql.ts`),
 * and each way is counted in `flowline_node_claims_total{way}`.
 */
export const ClaimWay = {
  TAKEN: 'taken',
  AT_RELEASE: 'at-release',
  AFTER_START: 'after-start',
} as const;
export type ClaimWay = (typeof ClaimWay)[keyof typeof ClaimWay];

/** The one status a claim moves a node from. */
export const CLAIMABLE_STATUS = Status.READY;

/** Whether a node's row may be claimed for `attempt`: READY on that very attempt. */
export function isClaimable(row: Pick<NodeStateRow, 'status' | 'attempt'>, attempt: number): boolean {
  return row.status === CLAIMABLE_STATUS && row.attempt === attempt;
}

