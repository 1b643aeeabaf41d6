import { Status, TERMINAL_STATUSES, type RunFilter } from '@flowline/engine';

/** TiEM's workflow status words (design.md, "Status in each dialect"). */
export const TiemStatus = {
  INITIALIZING: 'Initializing',
  PROCESSING: 'Processing',
  STOPPED: 'Stopped',
  FINISHED: 'Finished',
  ERROR: 'Error',
  CANCELED: 'Canceled',
  CANCELING: 'Canceling',
} as const;
export type TiemStatus = (typeof TiemStatus)[keyof typeof TiemStatus];

const BY_STATUS: Record<Status, TiemStatus> = {
  [Status.INIT]: TiemStatus.INITIALIZING,
  [Status.WAIT]: TiemStatus.INITIALIZING,
  [Status.READY]: TiemStatus.INITIALIZING,
  [Status.RERUN]: TiemStatus.INITIALIZING,
  [Status.RUNNING]: TiemStatus.PROCESSING,
  [Status.SUSPEND]: TiemStatus.STOPPED,
  [Status.SUCCESS]: TiemStatus.FINISHED,
  [Status.SKIP]: TiemStatus.FINISHED,
  [Status.FAIL]: TiemStatus.ERROR,
  [Status.INTERNAL_ERROR]: TiemStatus.ERROR,
  [Status.TIMEOUT]: TiemStatus.ERROR,
  [Status.CANCEL]: TiemStatus.CANCELED,
};

const LIVE_STATUSES = (Object.values(Status) as Status[]).filter((s) => !TERMINAL_STATUSES.includes(s));

/** A run's (or node's) TiEM status: a live run whose cancel was asked for is `Canceling`. */
export function tiemStatusOf(status: Status, cancelRequested = false): TiemStatus {
  if (cancelRequested && !TERMINAL_STATUSES.includes(status)) return TiemStatus.CANCELING;
  return BY_STATUS[status];
}

/**
 * The run filter of a TiEM `status` query value, mapped back through the same
 * table (`Finished` → SUCCESS|SKIP). Live words exclude runs being cancelled,
 * which show as `Canceling`. Matched case-insensitively; undefined if unknown.
 */
export function tiemStatusFilter(word: string): Pick<RunFilter, 'statuses' | 'cancelRequested'> | undefined {
  const wanted = (Object.values(TiemStatus) as string[]).find((w) => w.toLowerCase() === word.trim().toLowerCase());
  if (wanted === undefined) return undefined;
  if (wanted === TiemStatus.CANCELING) return { statuses: LIVE_STATUSES, cancelRequested: true };
  const statuses = (Object.values(Status) as Status[]).filter((s) => BY_STATUS[s] === wanted);
  const live = statuses.every((s) => LIVE_STATUSES.includes(s));
  return live ? { statuses, cancelRequested: false } : { statuses };
}
