import { uuidToShortId } from '../core/ids.ts';
import { statusName, type Status } from '../core/status.ts';
import type { NotifiedRun } from '../storage/readNotifiedRun.ts';

const TRIGGERS: Record<number, string> = { 0: 'manual', 1: 'periodic', 2: 'temporary' };

const iso = (date: Date | string | null) => (date === null ? null : new Date(date).toISOString());

/**
 * The JSON body of a delivery (pure): the event and its id (also the
 * `Idempotency-Key` header: a receiver that sees an id twice has seen the
 * event before), the run, its first failed node and that node's error, the
 * schedule that started it, the SLA it missed, and links to it when the
 * installation's public address is known.
 */
export function webhookEvent(
  delivery: { readonly id: string; readonly event: string; readonly occurredAt: Date },
  run: NotifiedRun,
  publicUrl: string | undefined,
): Record<string, unknown> {
  const runId = uuidToShortId(run.id);
  const base = publicUrl?.replace(/\/+$/, '');
  return {
    id: delivery.id,
    event: delivery.event,
    occurredAt: delivery.occurredAt.toISOString(),
    run: {
      id: runId,
      workflow: run.workflow,
      orgId: run.orgId,
      status: statusName(run.status as Status),
      bizId: run.bizId,
      bizType: run.bizType,
      trigger: TRIGGERS[run.triggerType] ?? 'manual',
      triggerTime: iso(run.triggerTime),
      createdAt: iso(run.createdAt),
      startTime: iso(run.startTime),
      endTime: iso(run.endTime),
    },
    failedNode:
      run.failedNode === null
        ? null
        : { name: run.failedNode.name, type: run.failedNode.type, attempt: run.failedNode.attempt, status: statusName(run.failedNode.status as Status), error: run.failedNode.error },
    schedule: run.schedule,
    sla: run.slaMs === null ? null : { finishWithinMs: Number(run.slaMs), deadline: new Date(new Date(run.createdAt).getTime() + Number(run.slaMs)).toISOString() },
    links: base === undefined ? {} : { run: `${base}/v1/runs/${runId}`, ui: `${base}/#/runs/${runId}` },
  };
}
