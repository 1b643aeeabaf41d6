import { CheckPlatform, Reconciler, Status, toRunUuid } from '@flowline/engine';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startApiFixture, type ApiFixture } from './apiFixture.ts';

/**
 * The totals of the paged dialects (TiEM page.total, Explorer total) come
 * from kept counts, not a COUNT over the runs. After a mixed workload (runs
 * through the worker, cancel, suspend, rerun, soft delete, delete, statuses
 * moved in bulk) every total must equal the number of rows the same query
 * lists on one big page, before and after the counts are compacted.
 */
let api: ApiFixture;
let token: string;
let cookie: string;
let backupId: number;

const TIEM_QUERIES = [
  '',
  'flowName=backup',
  'flowName=Platform&bizType=b',
  'bizType=a',
  'bizId=cluster-1',
  ...['Initializing', 'Processing', 'Stopped', 'Finished', 'Error', 'Canceled', 'Canceling'].map((s) => `status=${s}`),
  'status=Finished&flowName=Cluster&bizType=a',
];

const EXPLORER_FILTERS = [undefined, { name: 'Backup' }, { name: 'nothing' }, ...[0, 1, 2, 3, 4, 5].map((status) => ({ status }))];

async function expectTotalsExact(when: string): Promise<void> {
  for (const query of TIEM_QUERIES) {
    const response = await api.call(token, { method: 'GET', url: `/api/v1/workflow/?pageSize=500&${query}` });
    expect(response.statusCode, query).toBe(200);
    const body = response.json() as { data: { workFlows: unknown[] }; page: { total: number } };
    expect(body.page.total, `${when}: tiem ${query}`).toBe(body.data.workFlows.length);
  }
  for (const path of ['/api-open/v1/jobs', `/api-open/v1/workflows/${backupId}/jobs`]) {
    for (const filter of EXPLORER_FILTERS) {
      const query = filter ? `&filter=${encodeURIComponent(JSON.stringify(filter))}` : '';
      const response = await api.app.inject({ method: 'GET', url: `${path}?pageSize=1000${query}`, headers: { cookie } });
      expect(response.statusCode, query).toBe(200);
      const body = response.json() as { data: { items: unknown[]; total: number } };
      expect(body.data.total, `${when}: explorer ${path} ${query}`).toBe(body.data.items.length);
    }
  }
}

beforeAll(async () => {
  api = await startApiFixture({ worker: true });
  await api.engine.registerWorkflow(CheckPlatform);
  token = await api.token('operator');
  const issued = await api.authority.issue({ kind: 'explorer', role: 'reader', orgId: 'default', accessKey: 'totals' });
  const login = Buffer.from(JSON.stringify(['totals', issued.secret])).toString('base64');
  const connected = await api.app.inject({
    method: 'POST',
    url: '/api-open/v1/connect',
    headers: { authorization: `Bearer ${login}`, 'content-type': 'application/json' },
    payload: { address: '127.0.0.1', port: 9669 },
  });
  cookie = connected.headers['set-cookie']!.toString().split(';')[0]!;
  backupId = (await api.engine.getDefinition('BackupCluster', 'default')).id;
});
afterAll(async () => {
  await api.close();
});

describe('dialect totals from kept counts', () => {
  it('equal the listed rows after a mixed workload, compacted or not', async () => {
    const start = (workflow: string, bizType: string, bizId: string) => api.engine.startRun({ workflow, bizType, bizId }).then((s) => s.run.id);
    const finished = [];
    for (let i = 0; i < 6; i++) finished.push(await start('BackupCluster', i % 2 ? 'a' : 'b', `cluster-${i}`));
    finished.push(await start('CheckPlatform', 'b', 'platform-0'));
    for (const id of finished) await api.waitForEnd(id);

    // Runs to cancel, rerun and suspend must still be live when asked: a demo flow may be over by then.
    await api.engine.applyDefinition({ name: 'SlowPlatformCheck', nodes: [{ name: 'wait', type: 'sleep', params: { ms: 1500 } }] });
    const [cancelled, rerun] = [await start('SlowPlatformCheck', 'a', 'cancelled'), await start('SlowPlatformCheck', 'b', 'rerun')];
    for (const id of [cancelled, rerun]) await api.engine.cancelRun(id);
    await api.engine.suspendRun(await start('SlowPlatformCheck', 'a', 'held'));
    // A node already running when its run is cancelled ends when its handler sees the abort: wait, so no status moves while totals are read.
    for (const id of [cancelled, rerun]) await api.waitForEnd(id);
    await api.engine.rerunRun(rerun);
    await api.waitForEnd(rerun);
    const pool = api.engineOptions.db.pool;
    await pool.query(`UPDATE workflow_runs SET status = $1 WHERE biz_id IN ('cluster-4', 'platform-0')`, [Status.FAIL]);
    await pool.query(`UPDATE workflow_runs SET deleted_at = now() WHERE id = $1`, [toRunUuid(finished[1]!)]);
    await pool.query(`DELETE FROM workflow_runs WHERE id = $1`, [toRunUuid(finished[3]!)]);
    // a live run whose cancel was asked: TiEM Canceling, Explorer 5
    await pool.query(`UPDATE workflow_runs SET cancel_requested = true WHERE biz_id = 'held'`);
    await expectTotalsExact('pending deltas');

    await new Reconciler(api.engine, { intervalMs: 60_000, leaseMs: 30_000 }).reconcile();
    expect((await pool.query('SELECT count(*)::int AS n FROM run_count_deltas')).rows[0].n).toBe(0);
    await expectTotalsExact('compacted');
  });
});
