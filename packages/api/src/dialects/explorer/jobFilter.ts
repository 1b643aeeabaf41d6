import { ValidationFailed, type RunFilter } from '@flowline/engine';
import { z } from 'zod';
import { jsonDepthProblem } from '../../hygiene/jsonDepth.ts';
import { inputProblem } from '../../hygiene/wellFormedInput.ts';
import { zonedTime } from '../zonedTime.ts';
import { explorerStatusFilter } from './jobView.ts';

/** The last instant a JavaScript Date (and so a timestamptz bound) can hold. */
const MAX_EPOCH_MS = 8_640_000_000_000_000 - 1;

/**
 * The `filter` query parameter of `GET /jobs`: URL-encoded JSON. Unknown keys
 * are ignored, as Explorer's own (Go) decoder does; wrong types are a 400.
 */
const JobFilterSchema = z.object({
  name: z.string().max(300).optional(),
  status: z.number().int().min(0).max(5).optional(),
  fromCreateTime: z.number().int().min(0).max(MAX_EPOCH_MS).optional(),
  toCreateTime: z.number().int().min(0).max(MAX_EPOCH_MS).optional(),
  orderByCreateTime: z.enum(['desc', 'asc']).optional(),
});

export interface JobQuery {
  readonly filter: Omit<RunFilter, 'orgId'>;
  readonly ascending: boolean;
}

const JOB_NAME = /^(.+)_(\d{4})(\d{2})(\d{2})(\d{2})(\d{2})(\d{2})$/;

/**
 * The instant a wall-clock time in `timeZone` names. Two passes settle the
 * offset across a DST change; a time inside a spring-forward gap resolves to
 * the later offset, as Explorer never names jobs there.
 */
function wallClockInstant(fields: readonly number[], timeZone: string): Date {
  const [year, month, day, hour, minute, second] = fields as [number, number, number, number, number, number];
  const asUtc = Date.UTC(year, month - 1, day, hour, minute, second);
  let instant = asUtc - zonedTime(new Date(asUtc), timeZone).offsetMinutes * 60_000;
  instant = asUtc - zonedTime(new Date(instant), timeZone).offsetMinutes * 60_000;
  return new Date(instant);
}

/**
 * A job name is `<workflowName>_<yyyyMMddHHmmss>` of its create time, so a
 * name filter is that workflow's jobs created in that second; a name without
 * the stamp matches workflow names containing it.
 */
function nameFilter(name: string, timeZone: string): Omit<RunFilter, 'orgId'> {
  const match = JOB_NAME.exec(name);
  if (!match) return { workflowContains: name };
  const from = wallClockInstant(match.slice(2).map(Number), timeZone);
  return { workflow: match[1]!, createdFrom: from, createdTo: new Date(from.getTime() + 1000) };
}

/** Parses the `filter` parameter; malformed JSON or fields are a ValidationFailed (400 bad param). */
export function parseJobFilter(text: string | undefined, timeZone: string): JobQuery {
  if (text === undefined || text.trim() === '') return { filter: {}, ascending: false };
  let json: unknown;
  const tooDeep = jsonDepthProblem(text);
  if (tooDeep !== undefined) throw new ValidationFailed(`filter: ${tooDeep}`);
  try {
    json = JSON.parse(text);
  } catch {
    throw new ValidationFailed('filter: not valid JSON');
  }
  // the filter is JSON inside the query: its escapes (\u0000, \ud800) are decoded only now
  const unstorable = inputProblem(json, 'filter');
  if (unstorable !== undefined) throw new ValidationFailed(unstorable);
  const parsed = JobFilterSchema.safeParse(json);
  if (!parsed.success) {
    throw new ValidationFailed(`filter: ${parsed.error.issues.map((i) => `${i.path.join('.') || 'filter'}: ${i.message}`).join('; ')}`);
  }
  const f = parsed.data;
  const byName = f.name === undefined || f.name === '' ? {} : nameFilter(f.name, timeZone);
  const fromCreate = f.fromCreateTime === undefined ? undefined : new Date(f.fromCreateTime);
  // toCreateTime is inclusive; the run filter's upper bound is exclusive.
  const toCreate = f.toCreateTime === undefined ? undefined : new Date(f.toCreateTime + 1);
  const createdFrom = latest(byName.createdFrom, fromCreate);
  const createdTo = earliest(byName.createdTo, toCreate);
  return {
    filter: {
      ...byName,
      ...(f.status === undefined ? {} : explorerStatusFilter(f.status)),
      ...(createdFrom === undefined ? {} : { createdFrom }),
      ...(createdTo === undefined ? {} : { createdTo }),
    },
    ascending: f.orderByCreateTime === 'asc',
  };
}

const latest = (a: Date | undefined, b: Date | undefined) => (a && b ? (a > b ? a : b) : (a ?? b));
const earliest = (a: Date | undefined, b: Date | undefined) => (a && b ? (a < b ? a : b) : (a ?? b));
