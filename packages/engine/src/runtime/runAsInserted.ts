import { uuidToShortId } from '../core/ids.ts';
import { Status, statusName } from '../core/status.ts';
import type { NewRunRow } from '../storage/insertRuns.ts';
import { NO_ATTEMPTS, type RunWithNodes } from '../storage/readRun.ts';

/**
 * The run a start just inserted, as a reader would read it back: built from
 * the row that was written rather than re-read, which saves a start two round
 * trips. Every field is what the INSERT stored (times are the JS Date written).
 */
export function runAsInserted(row: NewRunRow, seq: number): RunWithNodes {
  return {
    id: uuidToShortId(row.id),
    uuid: row.id,
    seq,
    workflow: row.workflowName,
    definitionId: row.definitionId,
    definitionVersion: row.definitionVersion,
    orgId: row.orgId,
    owner: row.owner,
    bizId: row.bizId,
    bizType: row.bizType,
    triggerType: row.triggerType,
    status: Status.READY,
    statusName: statusName(Status.READY),
    cancelRequested: false,
    input: row.input ?? {},
    idempotencyKey: row.idempotencyKey ?? null,
    traceId: row.traceId,
    priority: row.priority,
    triggerTime: row.triggerTime ?? row.now,
    instanceStamp: null,
    startTime: null,
    endTime: null,
    createdAt: row.now,
    updatedAt: row.now,
    deletedAt: null,
    nodes: row.nodes.map((n) => ({
      id: uuidToShortId(n.id),
      name: n.name,
      type: n.type,
      position: n.position,
      attempt: 1,
      status: n.status,
      statusName: statusName(n.status),
      parameters: n.parameters,
      output: null,
      item: null,
      result: '',
      error: null,
      startedAt: null,
      endedAt: null,
      lostAttempts: 0,
      skipRequested: false,
      attempts: NO_ATTEMPTS,
    })),
  };
}
