import { Status, isTerminal } from '@flowline/engine';

/** The statuses a Pandora workflow shows. */
export const PandoraStatus = {
  READY: 'Ready',
  STARTING: 'Starting',
  STARTED: 'Started',
  STOPPING: 'Stopping',
  STOPPED: 'Stopped',
} as const;
export type PandoraStatus = (typeof PandoraStatus)[keyof typeof PandoraStatus];

/** design.md's table, canonical status → Pandora; the pending statuses are told apart by who is asking. */
const BY_STATUS: Record<Status, PandoraStatus> = {
  [Status.INIT]: PandoraStatus.STARTING,
  [Status.WAIT]: PandoraStatus.STARTING,
  [Status.READY]: PandoraStatus.STARTING,
  [Status.RERUN]: PandoraStatus.STARTING,
  [Status.RUNNING]: PandoraStatus.STARTED,
  [Status.SUSPEND]: PandoraStatus.STOPPED,
  [Status.SUCCESS]: PandoraStatus.READY,
  [Status.FAIL]: PandoraStatus.READY,
  [Status.INTERNAL_ERROR]: PandoraStatus.READY,
  [Status.TIMEOUT]: PandoraStatus.READY,
  [Status.CANCEL]: PandoraStatus.STOPPED,
  [Status.SKIP]: PandoraStatus.READY,
};

/**
 * A workflow's status from its latest run: Ready with none; a run not yet
 * running is being started (Starting); a cancel asked and not done is Stopping.
 */
export function workflowStatus(latestRun: { status: Status; cancelRequested: boolean } | undefined): PandoraStatus {
  if (!latestRun) return PandoraStatus.READY;
  if (latestRun.cancelRequested && !isTerminal(latestRun.status)) return PandoraStatus.STOPPING;
  return BY_STATUS[latestRun.status];
}

/** A node's status: only a queued node is being started; one still waiting for its parents is Ready. */
export function nodeStatus(status: Status | undefined): PandoraStatus {
  if (status === undefined || status === Status.INIT || status === Status.WAIT) return PandoraStatus.READY;
  return BY_STATUS[status];
}

/** Start is allowed from rest (Ready, Stopped); stop while a run is being started or running. */
export const mayStart = (status: PandoraStatus) => status === PandoraStatus.READY || status === PandoraStatus.STOPPED;
export const mayStop = (status: PandoraStatus) => status === PandoraStatus.STARTING || status === PandoraStatus.STARTED;
