import { shortIdToUuid } from '../../core/ids.ts';
import { RunNotFound } from '../../errors.ts';
import { assignInstanceStamps } from '../../storage/assignInstanceStamps.ts';
import type { Database, Queryable } from '../../storage/database.ts';
import { findRunByInstanceStamp, readInstanceStamps } from '../../storage/findRunByInstanceStamp.ts';
import { listRunsBySeq, type RunFilter, type RunSeqPage, type RunSeqPageRequest } from '../../storage/listRuns.ts';
import { countRuns, listRunsByPage, type RunPageRequest } from '../../storage/listRunsByPage.ts';
import { readRun, type RunRecord, type RunWithNodes } from '../../storage/readRun.ts';

/** Accepts the 22-char id every dialect shows, or the raw uuid. */
export function toRunUuid(id: string): string | undefined {
  if (/^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i.test(id)) return id.toLowerCase();
  return shortIdToUuid(id);
}

/**
 * History reads: runs with their nodes, lists and counts for every surface,
 * and EnOS instance stamps. Lists, pages and counts read from the read
 * replica when there is one (see ReadReplica: a lagging or lost replica falls
 * back to the primary); a run's own detail and the stamps just assigned read
 * from the primary, so a start followed at once by a read of its run finds it.
 */
export class HistorySystem {
  constructor(private readonly db: Database) {}

  /** Runs a list or count where history reads go. */
  private list<T>(query: (db: Queryable) => Promise<T>): Promise<T> {
    return this.db.readReplica ? this.db.readReplica.read(query) : query(this.db.pool);
  }

  /** A run with its nodes, by 22-char id or uuid, within an org. */
  async getRun(id: string, orgId: string): Promise<RunWithNodes> {
    const uuid = toRunUuid(id);
    const run = uuid && (await readRun(this.db.pool, orgId, uuid));
    if (!run) throw new RunNotFound(id);
    return run;
  }

  /** A run with its nodes as just written, or undefined if there is none (the start path's idempotent answer). */
  readRun(orgId: string, uuid: string): Promise<RunWithNodes | undefined> {
    return readRun(this.db.pool, orgId, uuid);
  }

  listRuns(filter: RunFilter, page: RunSeqPageRequest): Promise<RunSeqPage> {
    return this.list((db) => listRunsBySeq(db, filter, page));
  }

  listRunsByPage(filter: RunFilter, page: RunPageRequest): Promise<RunRecord[]> {
    return this.list((db) => listRunsByPage(db, filter, page));
  }

  countRuns(filter: RunFilter): Promise<number> {
    return this.list((db) => countRuns(db, filter));
  }

  async findRunByInstanceStamp(orgId: string, definitionId: number, compactStamp: string, timeZone: string): Promise<RunRecord | undefined> {
    await assignInstanceStamps(this.db, [definitionId]);
    return findRunByInstanceStamp(this.db.pool, orgId, definitionId, compactStamp, timeZone);
  }

  async withInstanceStamps(runs: readonly RunRecord[]): Promise<RunRecord[]> {
    const unstamped = runs.filter((r) => r.instanceStamp === null);
    if (unstamped.length === 0) return [...runs];
    await assignInstanceStamps(this.db, unstamped.map((r) => r.definitionId));
    const stamps = await readInstanceStamps(this.db.pool, unstamped.map((r) => r.uuid));
    return runs.map((r) => (r.instanceStamp === null ? { ...r, instanceStamp: stamps.get(r.uuid) ?? null } : r));
  }
}
