import { newUuid, uuidToShortId } from '../core/ids.ts';
import type { RunEvent } from '../core/runState.ts';
import type { Status } from '../core/status.ts';
import { BulkOperationNotFound, FlowlineError, InvalidTransition, ValidationFailed } from '../errors.ts';
import type { EngineResources } from '../runtime/engineResources.ts';
import type { DecisionSystem } from '../runtime/systems/decisionSystem.ts';
import { toRunUuid } from '../runtime/systems/historySystem.ts';
import { countBulkTargets } from '../storage/countBulkTargets.ts';
import { inTransaction } from '../storage/database.ts';
import { insertBulkOperation } from '../storage/insertBulkOperation.ts';
import { listBulkOperations } from '../storage/listBulkOperations.ts';
import { listBulkTargets } from '../storage/listBulkTargets.ts';
import { lockNextBulkOperation } from '../storage/lockNextBulkOperation.ts';
import { readBulkOperation } from '../storage/readBulkOperation.ts';
import { recordBulkProgress } from '../storage/recordBulkProgress.ts';
import { stopBulkOperation } from '../storage/stopBulkOperation.ts';
import type { BulkOperationRow } from '../storage/bulkOperationColumns.ts';
import {
  BULK_BATCH_SIZE,
  BulkAction,
  MAX_BULK_IDS,
  tallyBatch,
  type BulkOperationRecord,
  type BulkOperationRequest,
  type BulkRunFilter,
  type BulkRunOutcome,
  type BulkSelector,
} from './bulkOperation.ts';

/** Runs of one batch operated on at once: each is its own decision, under its own run lock. */
const BATCH_CONCURRENCY = 16;

const EVENTS: Record<BulkAction, RunEvent> = {
  [BulkAction.CANCEL]: { type: 'CANCEL' },
  [BulkAction.RERUN]: { type: 'RERUN' },
  [BulkAction.RESUME]: { type: 'RESUME' },
};

/**
 * Bulk operations: cancel, rerun or resume many runs of an org, by ids or by
 * a filter. A request is a row (what, over which runs, how far); the work is
 * done in batches by `workBatch`, which any process's BulkOperationLoop
 * calls. Each batch holds the operation's row lock (SKIP LOCKED: one process
 * per operation at a time, any number of operations at once), applies the
 * action to each run as an ordinary decision, and commits its progress with
 * the lock. A process that dies mid-batch loses the lock with its connection;
 * the next one starts that batch again from the last committed cursor (the
 * runs it had already changed are then counted as skipped).
 */
export class BulkOperations {
  constructor(
    private readonly resources: EngineResources,
    private readonly decisions: DecisionSystem,
  ) {}

  /** Records a request; the loops work it off. Answers it with its total. */
  async request(request: BulkOperationRequest): Promise<BulkOperationRecord> {
    const { db, now } = this.resources;
    const selector = storedSelector(request.selector);
    const { total, upToSeq } =
      'ids' in selector ? { total: selector.ids.length, upToSeq: null } : await countBulkTargets(db.pool, request.orgId, selector.filter);
    const id = newUuid();
    await insertBulkOperation(db.pool, { id, orgId: request.orgId, action: request.action, selector, total, upToSeq, requestedBy: request.requestedBy, createdAt: now() });
    return this.get(id, request.orgId);
  }

  /** One of an org's bulk operations, as its last batch left it. */
  async get(id: string, orgId: string): Promise<BulkOperationRecord> {
    const uuid = toRunUuid(id);
    const found = uuid && (await readBulkOperation(this.resources.db.pool, orgId, uuid));
    if (!found) throw new BulkOperationNotFound(id);
    return viewed(found);
  }

  /** An org's latest bulk operations, newest first. */
  async list(orgId: string, limit: number): Promise<BulkOperationRecord[]> {
    return (await listBulkOperations(this.resources.db.pool, orgId, limit)).map(viewed);
  }

  /** Stops a running operation after its batch in progress; refused when it is not running. */
  async stop(id: string, orgId: string): Promise<BulkOperationRecord> {
    const uuid = toRunUuid(id);
    const stopped = uuid !== undefined && (await stopBulkOperation(this.resources.db.pool, orgId, uuid, this.resources.now()));
    const found = await this.get(id, orgId);
    if (!stopped) throw new InvalidTransition('cancel', found.status, `bulk operation ${found.id} is ${found.status}, not RUNNING`);
    return found;
  }

  /** Works one batch of the running operation least recently advanced that no other process holds; false when there was none. */
  workBatch(): Promise<boolean> {
    return inTransaction(this.resources.db, async (client) => {
      const operation = await lockNextBulkOperation(client);
      if (!operation) return false;
      const { targets, cursor, done } = await this.nextTargets(operation);
      const outcomes: BulkRunOutcome[] = [];
      for (let i = 0; i < targets.length; i += BATCH_CONCURRENCY) {
        outcomes.push(...(await Promise.all(targets.slice(i, i + BATCH_CONCURRENCY).map((runId) => this.apply(operation, runId)))));
      }
      const tally = tallyBatch(outcomes);
      await recordBulkProgress(client, { id: operation.id, tally, cursor, done, now: this.resources.now() });
      this.resources.metrics.bulkRuns.inc({ action: operation.action, outcome: 'succeeded' }, tally.succeeded);
      this.resources.metrics.bulkRuns.inc({ action: operation.action, outcome: 'skipped' }, tally.skipped);
      this.resources.metrics.bulkRuns.inc({ action: operation.action, outcome: 'failed' }, tally.failed);
      return true;
    });
  }

  /** The batch after the cursor: the next ids, or the next runs the filter selects (oldest first). */
  private async nextTargets(operation: BulkOperationRow): Promise<{ targets: string[]; cursor: number; done: boolean }> {
    const selector = operation.selector;
    if ('ids' in selector) {
      const targets = selector.ids.slice(operation.cursor, operation.cursor + BULK_BATCH_SIZE);
      const cursor = operation.cursor + targets.length;
      return { targets: [...targets], cursor, done: cursor >= selector.ids.length };
    }
    const rows =
      operation.upToSeq === null
        ? []
        : await listBulkTargets(this.resources.db.pool, operation.orgId, filterOf(selector.filter), {
            afterSeq: operation.cursor,
            upToSeq: operation.upToSeq,
            limit: BULK_BATCH_SIZE,
          });
    return { targets: rows.map((r) => r.id), cursor: rows.at(-1)?.seq ?? operation.cursor, done: rows.length < BULK_BATCH_SIZE };
  }

  /** The action on one run, as a decision under the run's lock; a refusal is the run's outcome, not the batch's. */
  private async apply(operation: BulkOperationRow, runId: string): Promise<BulkRunOutcome> {
    try {
      await this.decisions.transition(runId, EVENTS[operation.action], { orgId: operation.orgId });
      return { runId };
    } catch (error) {
      if (error instanceof FlowlineError) return { runId, error: { code: error.code, message: error.message } };
      this.resources.logger?.warn({ err: error, runId: uuidToShortId(runId), operation: operation.id }, 'bulk operation failed on a run');
      return { runId, error: { code: 'INTERNAL', message: error instanceof Error ? error.message : String(error) } };
    }
  }
}

/** The selector as stored: ids as uuids (refusing what is no run id), a filter with at least one field. */
function storedSelector(selector: BulkSelector): BulkSelector {
  if ('ids' in selector) {
    if (selector.ids.length === 0 || selector.ids.length > MAX_BULK_IDS) throw new ValidationFailed(`ids: give 1 to ${MAX_BULK_IDS} run ids, or a filter`);
    const uuids = selector.ids.map((id) => {
      const uuid = toRunUuid(id);
      if (!uuid) throw new ValidationFailed(`ids: ${JSON.stringify(id)} is not a run id`);
      return uuid;
    });
    return { ids: [...new Set(uuids)] };
  }
  const { filter } = selector;
  if (Object.values(filter).every((value) => value === undefined)) {
    throw new ValidationFailed('filter: name at least one of workflow, status, bizType, from, to (every run of the org is not a filter)');
  }
  return { filter };
}

/** A stored filter back from JSON: its times are text there. */
function filterOf(stored: BulkRunFilter): BulkRunFilter {
  const raw = stored as { createdFrom?: string | Date; createdTo?: string | Date; statuses?: Status[] };
  return {
    ...stored,
    ...(raw.createdFrom === undefined ? {} : { createdFrom: new Date(raw.createdFrom) }),
    ...(raw.createdTo === undefined ? {} : { createdTo: new Date(raw.createdTo) }),
  };
}

/** An operation as callers see it: run ids in their 22-char form, as every surface shows them. */
function viewed(record: BulkOperationRecord): BulkOperationRecord {
  const selector = 'ids' in record.selector ? { ids: record.selector.ids.map(uuidToShortId) } : { filter: filterOf(record.selector.filter) };
  const errors = record.errors.map((e) => ({ ...e, runId: uuidToShortId(e.runId) }));
  return { ...record, id: uuidToShortId(record.id), selector, errors };
}
