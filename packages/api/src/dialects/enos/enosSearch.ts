import { MAX_PAGE_DEPTH, RunOrderColumn, Status, type RunFilter, type RunOrder, type RunPageRequest } from '@flowline/engine';
import { z } from 'zod';
import { ownField } from '../../hygiene/ownField.ts';
import { EnosCode, EnosError } from './enosErrors.ts';

/** Largest accepted pageSize; EnOS recommends at most 50. */
export const ENOS_MAX_PAGE_SIZE = 500;

/** The sorter fields EnOS documents, and the run column each orders by. */
const SORTER_COLUMNS: Record<string, RunOrder['column']> = {
  create_time: RunOrderColumn.CREATED_AT,
  update_time: RunOrderColumn.UPDATED_AT,
  start_time: RunOrderColumn.START_TIME,
  trigger_time: RunOrderColumn.TRIGGER_TIME,
  end_time: RunOrderColumn.END_TIME,
};

const epochMs = z.number().int().min(0).max(8_640_000_000_000_000);

/** The body of `action=search`, as the seed documents it (mandatory fields mandatory). */
export const SearchBody = z.object({
  type: z.number().int().min(0).max(2),
  expression: z.string().max(128).optional(),
  owner: z.string().max(128),
  fromTriggerTime: epochMs,
  toTriggerTime: epochMs,
  status: z.union([z.string().max(200), z.number().int()]),
  pagination: z.object({
    pageNo: z.number().int().min(0),
    pageSize: z.number().int().min(1).max(ENOS_MAX_PAGE_SIZE),
    sorters: z
      .array(z.object({ field: z.string().max(64), order: z.string().max(8).optional() }))
      .max(5)
      .optional(),
  }),
});
export type SearchBody = z.output<typeof SearchBody>;

const STATUS_CODES = new Set<number>(Object.values(Status));

/** `"1,2,3"` or `1` → status codes; "" means any status. */
function parseStatuses(status: string | number): Status[] | undefined {
  const parts = typeof status === 'number' ? [String(status)] : status.split(',').map((p) => p.trim()).filter(Boolean);
  if (parts.length === 0) return undefined;
  return parts.map((part) => {
    const code = /^-?\d+$/.test(part) ? Number(part) : NaN;
    if (!STATUS_CODES.has(code)) throw new EnosError(EnosCode.BAD_REQUEST, 400, `status: ${JSON.stringify(part)} is not a FlowInstanceStatus (-1…10)`);
    return code as Status;
  });
}

function parseSorters(sorters: SearchBody['pagination']['sorters']): RunOrder[] {
  // Without sorters, newest trigger first: what the EnOS console shows.
  if (!sorters || sorters.length === 0) return [{ column: RunOrderColumn.TRIGGER_TIME, descending: true }];
  return sorters.map((sorter) => {
    const column = ownField(SORTER_COLUMNS, sorter.field);
    if (!column) throw new EnosError(EnosCode.INVALID_SORTER, 400, 'The sorters field parameter is invalid');
    const order = (sorter.order ?? 'ASC').toUpperCase();
    if (order !== 'ASC' && order !== 'DESC') throw new EnosError(EnosCode.BAD_REQUEST, 400, `sorters.order: ${JSON.stringify(sorter.order)} is not ASC or DESC`);
    return { column, descending: order === 'DESC' };
  });
}

/** The run filter and page of a search body, within the caller's org. */
export function searchQuery(orgId: string, body: SearchBody): { filter: RunFilter; page: RunPageRequest } {
  if (body.fromTriggerTime > body.toTriggerTime) {
    throw new EnosError(EnosCode.BAD_REQUEST, 400, 'fromTriggerTime is after toTriggerTime');
  }
  const statuses = parseStatuses(body.status);
  const filter: RunFilter = {
    orgId,
    triggerType: body.type,
    triggeredFrom: new Date(body.fromTriggerTime),
    triggeredTo: new Date(body.toTriggerTime),
    ...(body.expression ? { workflowContains: body.expression } : {}),
    ...(body.owner ? { owner: body.owner } : {}),
    ...(statuses ? { statuses } : {}),
  };
  const { pageNo, pageSize } = body.pagination;
  const offset = (Math.max(pageNo, 1) - 1) * pageSize;
  if (offset + pageSize > MAX_PAGE_DEPTH) {
    throw new EnosError(
      EnosCode.BAD_REQUEST,
      400,
      `pageNo ${pageNo} of pageSize ${pageSize} reaches past instance ${MAX_PAGE_DEPTH}; narrow the trigger time range`,
    );
  }
  return { filter, page: { offset, limit: pageSize, order: parseSorters(body.pagination.sorters) } };
}
