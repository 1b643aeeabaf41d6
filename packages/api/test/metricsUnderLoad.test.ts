import { FlowlineMetrics } from '@flowline/engine';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startApiFixture, type ApiFixture } from './apiFixture.ts';

/**
 * Issue 21, finding 2: after one 10,000-node run /metrics was 27 MB (2.4 s a
 * scrape, one series per node name), and ten concurrent scrapes froze the
 * API for 20 s. Series are now per node type, and concurrent scrapes share one
 * render (cached for FLOWLINE_METRICS_CACHE_MS), so the API stays responsive.
 */
const WIDTH = 10_000;

let api: ApiFixture;
let url: string;

beforeAll(async () => {
  api = await startApiFixture({ worker: true, metrics: new FlowlineMetrics({ processMetrics: true, cacheMs: 2000 }) });
  url = await api.app.listen({ port: 0, host: '127.0.0.1' });
});
afterAll(async () => {
  await api.close();
});

describe('/metrics after a 10,000-node run', () => {
  it('stays small, names no node, and ten concurrent scrapes leave /readyz answering, its median under 100 ms', async () => {
    const nodes = [{ name: 'fan', type: 'noop' }, ...Array.from({ length: WIDTH }, (_, i) => ({ name: `n${i}`, type: 'noop', dependsOn: ['fan'] }))];
    expect((await api.call(api.adminToken, { method: 'POST', url: '/v1/definitions', payload: { name: 'Wide', nodes } })).statusCode).toBe(201);
    const started = await api.call(api.adminToken, { method: 'POST', url: '/v1/runs', payload: { workflow: 'Wide' } });
    expect((await api.waitForEnd(started.json().id, 90_000)).statusName).toBe('SUCCESS');

    const headers = { authorization: `Bearer ${api.adminToken}` };
    const readyz = async () => {
      const t0 = performance.now();
      const response = await fetch(`${url}/readyz`);
      expect(response.status).toBe(200);
      return performance.now() - t0;
    };
    // Open the client's sockets and Postgres connections first, as a scraper's are kept alive: test and
    // server share one process, and eleven fresh sockets at once would time the client, not the API.
    for (let i = 0; i < 2; i++) await Promise.all(Array.from({ length: 11 }, () => fetch(`${url}/readyz`).then((r) => r.text())));
    // The first scrapes since the run: none is cached, they share one render.
    const scrapes = Array.from({ length: 10 }, () => fetch(`${url}/metrics`, { headers }).then((r) => r.text()));
    const latencies: number[] = [];
    for (let i = 0; i < 5; i++) latencies.push(await readyz());
    const texts = await Promise.all(scrapes);
    console.log(`/readyz during 10 concurrent scrapes: ${latencies.map((ms) => ms.toFixed(1)).join(', ')} ms`);
    // Not frozen (the bug: /readyz unanswered for 20 s), and answered at once as a rule: one reading may be
    // slow on a 2-core host that runs other test files beside this one (111.8 ms seen, the next four 1.4–6.7).
    expect(Math.max(...latencies)).toBeLessThan(500);
    expect([...latencies].sort((a, b) => a - b)[2]!).toBeLessThan(100);

    const text = texts[0]!;
    expect(texts.every((t) => t.includes('flowline_runs_finished_total{workflow="Wide",status="SUCCESS"} 1'))).toBe(true);
    const lines = text.split('\n').filter((l) => l.startsWith('flowline_node_duration_seconds_count{workflow="Wide"'));
    expect(lines).toEqual([`flowline_node_duration_seconds_count{workflow="Wide",type="noop",outcome="SUCCESS"} ${WIDTH + 1}`]);
    expect(text).not.toMatch(/node="/);
    console.log(`metrics text after a ${WIDTH}-node run: ${(text.length / 1024).toFixed(1)} KB`);
    expect(text.length).toBeLessThan(64 * 1024);
  }, 120_000);
});

describe('the label budget', () => {
  it('folds workflows past the cap into workflow="_other" and keeps the totals', async () => {
    const metrics = new FlowlineMetrics({ maxWorkflows: 3 });
    for (let i = 0; i < 10; i++) metrics.runsStarted.inc({ workflow: `tenant_flow_${i}`, trigger: 'manual' });
    const { body } = await metrics.exposition();
    const started = body.split('\n').filter((l) => l.startsWith('flowline_runs_started_total{'));
    expect(started).toHaveLength(4);
    expect(started).toContain('flowline_runs_started_total{workflow="_other",trigger="manual"} 7');
  });

  it('folds label combinations past the per-workflow cap into "_other"', async () => {
    const metrics = new FlowlineMetrics({ maxSeriesPerWorkflow: 2 });
    for (const type of ['noop', 'http', 'sleep', 'fail']) {
      metrics.observeNode({ workflowName: 'W', type }, { type: 'NODE_SUCCEEDED', node: 'x', attempt: 1, leaseOwner: 'o', outcome: { output: null, result: '' } }, 0.01);
    }
    const { body } = await metrics.exposition();
    const counts = body.split('\n').filter((l) => l.startsWith('flowline_node_duration_seconds_count{'));
    expect(counts).toEqual([
      'flowline_node_duration_seconds_count{workflow="W",type="noop",outcome="SUCCESS"} 1',
      'flowline_node_duration_seconds_count{workflow="W",type="http",outcome="SUCCESS"} 1',
      'flowline_node_duration_seconds_count{workflow="W",type="_other",outcome="_other"} 2',
    ]);
  });

  it('renders once for concurrent scrapes and serves that text within the cache period', async () => {
    const metrics = new FlowlineMetrics({ cacheMs: 60_000 });
    let renders = 0;
    const render = metrics.registry.metrics.bind(metrics.registry);
    metrics.registry.metrics = async () => {
      renders++;
      return render();
    };
    await Promise.all(Array.from({ length: 10 }, () => metrics.exposition()));
    await metrics.exposition();
    expect(renders).toBe(1);
  });
});
