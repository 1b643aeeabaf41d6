import { Engine, Reconciler, RunPartitions, RunRetention, ensureRunPartitions, toRunUuid } from '@flowline/engine';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startApiFixture, type ApiFixture } from './apiFixture.ts';
import { cosCall, explorerToken, type KeyPair } from './surfaceCalls.ts';

/**
 * History is partitioned by run start period (the run_partitions migration):
 * the engine makes the partitions ahead, a run lands in its period's
 * partitions with its nodes, every surface reads, lists and counts it as any
 * other, and retention drops a period whole once all its runs are past their
 * age, leaving the kept counts exact.
 */
const DAY_MS = 86_400_000;

let api: ApiFixture;
let reader: string;
let explorer: string;
let cos: KeyPair;

beforeAll(async () => {
  api = await startApiFixture({ worker: true });
  reader = await api.token('reader');
  const explorerKey = await api.authority.issue({ kind: 'explorer', role: 'reader', orgId: 'default', accessKey: 'partitions' });
  explorer = await explorerToken(api.app, { accessKey: 'partitions', secret: explorerKey.secret });
  const cosKey = await api.authority.issue({ kind: 'cos', role: 'reader', orgId: 'default' });
  cos = { accessKey: cosKey.accessKey!, secret: cosKey.secret };
});
afterAll(async () => {
  await api.close();
});

const pool = () => api.engineOptions.db.pool;

/** Starts a BackupCluster run on an engine whose clock reads `at`, and waits for the fixture's worker to end it. */
async function runStartedAt(at: Date, bizId: string, idempotencyKey?: string): Promise<string> {
  const clocked = new Engine({ ...api.engineOptions, now: () => at });
  try {
    const started = await clocked.startRun({ workflow: 'BackupCluster', bizId, ...(idempotencyKey ? { idempotencyKey } : {}) });
    await api.waitForEnd(started.run.id);
    return started.run.id;
  } finally {
    await clocked.close();
  }
}

/** The partition each table keeps a run's rows in. */
async function partitionsOf(id: string): Promise<{ run: string; nodes: string[] }> {
  const uuid = toRunUuid(id);
  const run = await pool().query<{ part: string }>(`SELECT tableoid::regclass::text AS part FROM workflow_runs WHERE id = $1`, [uuid]);
  const nodes = await pool().query<{ part: string }>(`SELECT DISTINCT tableoid::regclass::text AS part FROM node_runs WHERE run_id = $1`, [uuid]);
  return { run: run.rows[0]!.part, nodes: nodes.rows.map((r) => r.part) };
}

/** The run ids each list surface shows (in its own form), and the totals of those that give one. */
async function listed(): Promise<{ native: string[]; tiem: string[]; tiemTotal: number; explorer: number[]; explorerTotal: number; tencent: string; enos: number }> {
  const native = (await api.call(reader, { method: 'GET', url: '/v1/runs?limit=100' })).json() as { items: { id: string }[] };
  const tiem = (await api.call(reader, { method: 'GET', url: '/api/v1/workflow/?pageSize=100' })).json() as {
    data: { workFlows: { id: string }[] };
    page: { total: number };
  };
  const jobs = (await api.app.inject({ method: 'GET', url: '/api-open/v1/jobs?pageSize=100', headers: { explorer_token: explorer } })).json() as {
    data: { items: { id: number }[]; total: number };
  };
  const tencent = await cosCall(api.app, cos, 'GET', '/workflowexecution', { size: '100' });
  expect(tencent.statusCode).toBe(200);
  const enosToken = await api.token('reader', { kind: 'enos' });
  const enos = await api.app.inject({
    method: 'POST',
    url: '/batch-processing-service/v2.1/flowInstances?action=search&userId=u1&orgId=default',
    headers: { 'apim-accesstoken': enosToken },
    payload: { type: 0, owner: '', status: '', fromTriggerTime: 0, toTriggerTime: 4_102_444_800_000, pagination: { pageNo: 1, pageSize: 100 } },
  });
  expect(enos.statusCode).toBe(200);
  return {
    native: native.items.map((r) => r.id),
    tiem: tiem.data.workFlows.map((w) => w.id),
    tiemTotal: tiem.page.total,
    explorer: jobs.data.items.map((j) => j.id),
    explorerTotal: jobs.data.total,
    tencent: tencent.body,
    enos: (enos.json() as { data: { count: number } }).data.count,
  };
}

const seqOf = async (id: string) => Number((await pool().query(`SELECT seq FROM workflow_runs WHERE id = $1`, [toRunUuid(id)])).rows[0].seq);
const periodName = (table: string, start: Date) => `${table}_p${start.toISOString().slice(0, 10).replace(/-/g, '')}`;

describe('partitioned history', () => {
  it('a run started in a period made ahead lives in its partitions, and every surface reads, lists and counts it', async () => {
    const now = await runStartedAt(new Date(), 'this-week');
    const future = new Date(Date.now() + 40 * DAY_MS);
    await new RunPartitions(api.engineOptions.db).ensureAhead(future);
    const period = await pool().query<{ from_time: Date }>(`SELECT from_time FROM run_partitions WHERE from_time <= $1 AND to_time > $1`, [future]);
    expect(period.rowCount).toBe(1);

    const ahead = await runStartedAt(future, 'ahead');
    expect(await partitionsOf(ahead)).toEqual({
      run: periodName('workflow_runs', period.rows[0]!.from_time),
      nodes: [periodName('node_runs', period.rows[0]!.from_time)],
    });
    expect((await partitionsOf(now)).run).not.toBe((await partitionsOf(ahead)).run);

    for (const url of [`/v1/runs/${ahead}`, `/api/v1/workflow/${ahead}`]) expect((await api.call(reader, { method: 'GET', url })).statusCode, url).toBe(200);
    const lists = await listed();
    expect(lists.native.slice(0, 2)).toEqual([ahead, now]);
    expect(lists.tiem.slice(0, 2)).toEqual([ahead, now]);
    expect(lists.tiemTotal).toBe(lists.tiem.length);
    expect(lists.explorer.slice(0, 2)).toEqual([await seqOf(ahead), await seqOf(now)]);
    expect(lists.explorerTotal).toBe(lists.explorer.length);
    for (const id of [ahead, now]) expect(lists.tencent).toContain(`i${toRunUuid(id)?.replace(/-/g, '')}`);
    expect(lists.enos).toBe(lists.tiem.length);
  });

  it('runs of two periods at once, whose rows share row addresses in their partitions, are each claimed and decided alone', async () => {
    const [first, second] = [new Date(Date.now() + 60 * DAY_MS), new Date(Date.now() + 70 * DAY_MS)];
    await ensureRunPartitions(pool(), first, second, 7);
    const engines = [first, second].map((at) => new Engine({ ...api.engineOptions, now: () => at }));
    try {
      // Each run's nodes are the first rows of their fresh partitions, (0,1), (0,2)…: a write that
      // addressed a row by ctid alone would take the other run's node at the same address.
      const ids = await Promise.all(engines.map(async (engine, i) => (await engine.startRun({ workflow: 'BackupCluster', bizId: `twin-${i}` })).run.id));
      const ended = await Promise.all(ids.map((id) => api.waitForEnd(id, 10_000)));
      expect(ended.map((run) => run.statusName)).toEqual(['SUCCESS', 'SUCCESS']);
      const attempts = await pool().query(`SELECT count(*)::int AS n FROM node_attempts WHERE run_id = ANY($1::uuid[])`, [ids.map(toRunUuid)]);
      expect(attempts.rows[0].n).toBe(0);
    } finally {
      for (const engine of engines) await engine.close();
    }
  });

  it('retention drops a period whole once its runs are past their age, and the totals stay exact', async () => {
    const old = new Date(Date.now() - 80 * DAY_MS);
    const recent = new Date(Date.now() - 50 * DAY_MS);
    await ensureRunPartitions(pool(), old, recent, 7);
    const expired: [string, string] = [await runStartedAt(old, 'old-1', 'key-old'), await runStartedAt(old, 'old-2')];
    const kept = await runStartedAt(recent, 'recent');
    // Ended long ago (the worker ended them now): all of the old period is past a 30-day age; the recent run is not.
    await pool().query(`UPDATE workflow_runs SET end_time = $2 WHERE id = ANY($1::uuid[])`, [expired.map(toRunUuid), old]);
    const oldPeriod = (await partitionsOf(expired[0])).run;
    const recentPeriod = (await partitionsOf(kept)).run;
    expect(oldPeriod).not.toBe(recentPeriod);
    const before = await listed();

    const deleted = await new RunRetention(api.engineOptions.db, { maxAgeMs: 30 * DAY_MS, byWorkflow: {} }).sweep(new Date());
    expect(deleted).toBe(2);
    const tables = await pool().query<{ name: string }>(`SELECT relname AS name FROM pg_class WHERE relname = ANY($1)`, [
      [oldPeriod, oldPeriod.replace('workflow_runs', 'node_runs'), oldPeriod.replace('workflow_runs', 'node_attempts'), recentPeriod],
    ]);
    expect(tables.rows.map((r) => r.name)).toEqual([recentPeriod]);

    const after = await listed();
    expect(after.tiem).toEqual(before.tiem.filter((id) => !expired.includes(id)));
    expect(after.tiem).toContain(kept);
    expect(after.tiemTotal).toBe(after.tiem.length);
    expect(after.explorerTotal).toBe(after.explorer.length);
    await new Reconciler(api.engine, { intervalMs: 60_000, leaseMs: 30_000 }).reconcile();
    expect((await listed()).tiemTotal).toBe(after.tiem.length);
    // The dropped run's idempotency key went with it: the key starts a new run.
    const again = await api.engine.startRun({ workflow: 'BackupCluster', bizId: 'old-again', idempotencyKey: 'key-old' });
    expect(again.created).toBe(true);
    await api.waitForEnd(again.run.id);
  });
});
