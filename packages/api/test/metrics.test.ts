import type { AddressInfo } from 'node:net';
import { FlowlineMetrics } from '@flowline/engine';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startMetricsServer } from '../src/metricsServer.ts';
import { buildServer } from '../src/server.ts';
import { startApiFixture, type ApiFixture } from './apiFixture.ts';

let api: ApiFixture;

beforeAll(async () => {
  api = await startApiFixture({ worker: true });
});
afterAll(async () => {
  await api.close();
});

/** Scrapes as the bootstrap admin, a superadmin: the series name every org's workflows, so a token of the metrics permission is needed. */
async function scrape(): Promise<string> {
  const response = await api.call(api.adminToken, { method: 'GET', url: '/metrics' });
  expect(response.statusCode).toBe(200);
  expect(response.headers['content-type']).toContain('text/plain');
  return response.body;
}

/** The value of one sample line, e.g. `flowline_runs_started_total{workflow="BackupCluster",trigger="manual"}`. */
function sample(text: string, series: string): number | undefined {
  const line = text.split('\n').find((l) => l.startsWith(`${series} `));
  return line === undefined ? undefined : Number(line.slice(series.length + 1));
}

describe('GET /metrics', () => {
  it('counts a run started and finished, and times its nodes by type (never by name), in one registry for API and worker', async () => {
    const started = await api.call(api.adminToken, { method: 'POST', url: '/v1/runs', payload: { workflow: 'BackupCluster' } });
    expect(started.statusCode).toBe(201);
    await expect.poll(async () => (await api.call(api.adminToken, { method: 'GET', url: `/v1/runs/${started.json().id}` })).json().status).toBe('SUCCESS');

    const text = await scrape();
    expect(sample(text, 'flowline_runs_started_total{workflow="BackupCluster",trigger="manual"}')).toBe(1);
    await expect.poll(async () => sample(await scrape(), 'flowline_runs_finished_total{workflow="BackupCluster",status="SUCCESS"}')).toBe(1);
    // backup and updateBackupRecord are code nodes, end a noop
    expect(sample(text, 'flowline_node_duration_seconds_count{workflow="BackupCluster",type="code",outcome="SUCCESS"}')).toBe(2);
    expect(sample(text, 'flowline_node_duration_seconds_count{workflow="BackupCluster",type="noop",outcome="SUCCESS"}')).toBe(1);
    expect(text).not.toMatch(/node="/);
    expect(sample(text, 'flowline_node_queue_wait_seconds_count{workflow="BackupCluster"}')).toBe(3);
  });

  it('counts a failed run under FAIL with its failing node', async () => {
    const definition = { name: 'AlwaysFails', nodes: [{ name: 'boom', type: 'fail', params: { message: 'no disk' } }] };
    expect((await api.call(api.adminToken, { method: 'POST', url: '/v1/definitions', payload: definition })).statusCode).toBe(201);
    await api.call(api.adminToken, { method: 'POST', url: '/v1/runs', payload: { workflow: 'AlwaysFails' } });
    await expect.poll(async () => sample(await scrape(), 'flowline_runs_finished_total{workflow="AlwaysFails",status="FAIL"}')).toBe(1);
    expect(sample(await scrape(), 'flowline_node_duration_seconds_count{workflow="AlwaysFails",type="fail",outcome="FAIL"}')).toBe(1);
  });

  it('shows queue depth by state and the age of the oldest waiting job', async () => {
    const text = await scrape();
    expect(sample(text, 'flowline_queue_jobs{queue="nodes",state="waiting"}')).toBe(0);
    expect(sample(text, 'flowline_queue_jobs{queue="nodes",state="active"}')).toBeGreaterThanOrEqual(0);
    expect(sample(text, 'flowline_queue_oldest_waiting_seconds{queue="nodes"}')).toBe(0);
  });

  it('exposes the scheduler and reconciler counters for those roles to increment', async () => {
    api.engine.metrics.scheduleFirings.inc({ outcome: 'FIRED' });
    api.engine.metrics.reconcilerActions.inc({ action: 'redispatch' });
    const text = await scrape();
    expect(sample(text, 'flowline_schedule_firings_total{outcome="FIRED"}')).toBe(1);
    expect(sample(text, 'flowline_reconciler_actions_total{action="redispatch"}')).toBe(1);
  });

  it('answers only a token of the metrics permission: none is 401, an org role 403, the metrics role and a superadmin 200', async () => {
    expect((await api.call(undefined, { method: 'GET', url: '/metrics' })).statusCode).toBe(401);
    for (const role of ['reader', 'operator', 'admin'] as const) {
      const token = await api.token(role, { orgId: 'tenant' });
      const response = await api.call(token, { method: 'GET', url: '/metrics' });
      expect(response.statusCode, role).toBe(403);
      expect(response.body).not.toContain('BackupCluster');
    }
    expect((await api.call(await api.token('metrics'), { method: 'GET', url: '/metrics' })).statusCode).toBe(200);
    // a metrics token reads nothing else
    expect((await api.call(await api.token('metrics'), { method: 'GET', url: '/v1/runs' })).statusCode).toBe(403);
  });

  it('is not on the API port when the operator keeps metrics on a port of their own', async () => {
    const app = await buildServer({ engine: api.engine, authority: api.authority, metricsAccess: 'port' });
    try {
      expect((await app.inject({ method: 'GET', url: '/metrics', headers: { authorization: `Bearer ${api.adminToken}` } })).statusCode).toBe(404);
    } finally {
      await app.close();
    }
  });
});

describe('the metrics port', () => {
  it('serves process metrics without a token on loopback (FLOWLINE_METRICS_ACCESS=port)', async () => {
    const server = await startMetricsServer(new FlowlineMetrics({ processMetrics: true }), { port: 0, host: '127.0.0.1' });
    try {
      const { address, port } = server.server.address() as AddressInfo;
      expect(address).toBe('127.0.0.1');
      const text = await (await fetch(`http://127.0.0.1:${port}/metrics`)).text();
      expect(text).toContain('process_cpu_user_seconds_total');
      expect(text).toContain('nodejs_eventloop_lag_seconds');
    } finally {
      await server.close();
    }
  });

  it("takes a token there too when metrics are behind credentials (a worker's port)", async () => {
    const server = await startMetricsServer(new FlowlineMetrics(), { port: 0, host: '127.0.0.1', authority: api.authority });
    try {
      const { port } = server.server.address() as AddressInfo;
      expect((await fetch(`http://127.0.0.1:${port}/metrics`)).status).toBe(401);
      const scraped = await fetch(`http://127.0.0.1:${port}/metrics`, { headers: { authorization: `Bearer ${await api.token('metrics')}` } });
      expect(scraped.status).toBe(200);
    } finally {
      await server.close();
    }
  });
});
