/**
 * The canonical status codes of runs and nodes: EnOS FlowInstanceStatus.
 * Every dialect renders these in its own words (see packages/api/src/dialects);
 * the engine only ever stores and compares the numbers.
 */
export const Status = {
  FAIL: -1,
  INIT: 0,
  SUCCESS: 1,
  RUNNING: 2,
  SUSPEND: 3,
  INTERNAL_ERROR: 4,
  WAIT: 5,
  READY: 6,
  TIMEOUT: 7,
  CANCEL: 8,
  RERUN: 9,
  SKIP: 10,
} as const;

export type Status = (typeof Status)[keyof typeof Status];
/** The upper-case name of a status, e.g. "SUCCESS". */
export type StatusName = keyof typeof Status;

export const ALL_STATUSES: readonly Status[] = Object.values(Status);

const NAME_BY_CODE = new Map<number, StatusName>(
  (Object.entries(Status) as [StatusName, Status][]).map(([name, code]) => [code, name]),
);

/** The upper-case name of a code, e.g. `statusName(1) === "SUCCESS"`. */
export function statusName(code: Status): StatusName {
  const name = NAME_BY_CODE.get(code);
  if (name === undefined) throw new RangeError(`unknown status code ${code}`);
  return name;
}

/** The statuses a run or node ends in: nothing moves it out of them but a rerun. */
export const TERMINAL_STATUSES: readonly Status[] = [
  Status.FAIL,
  Status.SUCCESS,
  Status.INTERNAL_ERROR,
  Status.TIMEOUT,
  Status.CANCEL,
  Status.SKIP,
];

/** Whether a status is terminal (see TERMINAL_STATUSES). */
export function isTerminal(status: Status): boolean {
  return TERMINAL_STATUSES.includes(status);
}

/** Terminal statuses that mean "did not succeed": they fail a run. */
export const FAILED_STATUSES: readonly Status[] = [Status.FAIL, Status.INTERNAL_ERROR, Status.TIMEOUT];

/** A node in one of these lets its children run. */
export const SATISFIED_STATUSES: readonly Status[] = [Status.SUCCESS, Status.SKIP];

/**
 * The allowed transitions of design.md, for runs and nodes alike. The core
 * checks every walk a command makes against them (`isLegalPath`, in decide);
 * storage then writes each status conditionally on the exact status the
 * decision saw (`status = from`, see applyCommands), which is stricter than
 * any allowed-from list: a write that finds another status lost a race.
 */
const TRANSITIONS: Record<Status, readonly Status[]> = {
  [Status.INIT]: [Status.WAIT, Status.READY, Status.CANCEL, Status.SKIP],
  [Status.WAIT]: [Status.READY, Status.SUSPEND, Status.CANCEL, Status.SKIP, Status.TIMEOUT],
  [Status.READY]: [Status.RUNNING, Status.SUSPEND, Status.CANCEL],
  [Status.RUNNING]: [Status.SUCCESS, Status.FAIL, Status.INTERNAL_ERROR, Status.TIMEOUT, Status.CANCEL, Status.SUSPEND],
  [Status.SUSPEND]: [Status.READY, Status.CANCEL],
  [Status.RERUN]: [Status.WAIT, Status.READY],
  [Status.FAIL]: [Status.RERUN],
  [Status.SUCCESS]: [Status.RERUN],
  [Status.INTERNAL_ERROR]: [Status.RERUN],
  [Status.TIMEOUT]: [Status.RERUN],
  [Status.CANCEL]: [Status.RERUN],
  [Status.SKIP]: [Status.RERUN],
};

export function canTransition(from: Status, to: Status): boolean {
  return TRANSITIONS[from].includes(to);
}

/**
 * Whether `path` is a walk of allowed single steps. Some operations are one SQL
 * write that passes through intermediate states atomically (a retry is
 * RUNNING → FAIL → RERUN → READY); the core checks the whole walk is legal.
 */
export function isLegalPath(path: readonly Status[]): boolean {
  for (let i = 1; i < path.length; i++) {
    if (!canTransition(path[i - 1]!, path[i]!)) return false;
  }
  return path.length >= 2;
}

/**
 * The shortest walk of allowed steps from `from` to `to`, or undefined if none.
 * Used where one write legitimately passes through intermediate states, e.g. a
 * suspended run whose last node failed ends as SUSPEND → READY → RUNNING → FAIL.
 */
export function shortestPath(from: Status, to: Status): Status[] | undefined {
  const previous = new Map<Status, Status>();
  const queue: Status[] = [from];
  const seen = new Set<Status>([from]);
  while (queue.length > 0) {
    const current = queue.shift()!;
    if (current === to && current !== from) break;
    for (const next of TRANSITIONS[current]) {
      if (seen.has(next)) continue;
      seen.add(next);
      previous.set(next, current);
      queue.push(next);
    }
  }
  if (!previous.has(to)) return undefined;
  const path: Status[] = [to];
  while (path[0] !== from) path.unshift(previous.get(path[0]!)!);
  return path;
}
