/** Who a fuzzed request authenticates as: nobody, junk, or a credential of each scheme. */
export type Caller = 'none' | 'junk' | 'reader' | 'admin' | 'superadmin' | 'enos' | 'explorer' | 'signed';

/**
 * A request a route accepts as it is: the fuzzer changes one of its strings
 * or objects at a time to something hostile, so the change reaches the
 * route's handler instead of stopping at its schema on another field.
 */
export interface Baseline {
  readonly method: string;
  /** the route's pattern, `:name` for path parameters */
  readonly url: string;
  readonly params?: Readonly<Record<string, string>>;
  readonly query?: Readonly<Record<string, string>>;
  readonly body?: unknown;
  readonly caller: Caller;
}

/** Records the fuzzed server holds, made before fuzzing, that baselines name. */
export interface FuzzRecords {
  readonly orgId: string;
  readonly workflow: string;
  readonly definitionId: number;
  readonly runId: string;
  readonly runSeq: number;
  readonly scheduleId: number;
  readonly enosInstanceId: string;
  readonly tencentRunId: string;
  readonly tencentWorkflowId: string;
  readonly pandoraWorkflow: string;
}

/** A valid request of every route of every surface (deletes name records that do not exist, so fuzzing deletes nothing). */
export function routeBaselines(r: FuzzRecords): Baseline[] {
  const definition = {
    name: 'FuzzDefined',
    description: 'a definition',
    nodes: [
      { name: 'a', type: 'noop', params: { note: 'x' }, labels: { team: 'y' } },
      { name: 'b', type: 'http', dependsOn: ['a'], params: { url: 'https://example.com/', headers: { 'x-api-key': { secretRef: 'k' } } } },
    ],
    schedules: [{ name: 'nightly', expression: '0 0 23 * * ?', timeZone: 'UTC', sla: { finishWithinMs: 60_000 }, notify: [{ on: ['FAIL'], webhook: 'https://hooks.example.com/nightly' }] }],
    notify: [{ on: ['FAIL', 'SLA_MISSED'], webhook: 'https://hooks.example.com/flowline' }],
    sla: { finishWithinMs: 3_600_000 },
  };
  const enosSearch = {
    type: 0,
    expression: r.workflow,
    owner: '',
    fromTriggerTime: 0,
    toTriggerTime: 4_102_444_800_000,
    status: '1,2',
    pagination: { pageNo: 1, pageSize: 10, sorters: [{ field: 'create_time', order: 'DESC' }] },
  };
  const enos = { userId: 'u1', orgId: r.orgId };
  const pandora = { name: r.pandoraWorkflow, region: 'nb', comment: 'c', nodes: { 'q-repo': { name: 'q', type: 'repo', data: { k: 'v' }, parents: [], children: [] } } };
  return [
    { method: 'GET', url: '/v1/runs', query: { workflow: r.workflow, status: 'SUCCESS,FAIL', bizId: 'b', bizType: 't', from: '2020-01-01T00:00:00Z', limit: '10' }, caller: 'reader' },
    { method: 'POST', url: '/v1/runs', body: { workflow: r.workflow, bizId: 'b', bizType: 't', input: { k: 'v', list: [1, 'two'] }, idempotencyKey: 'i' }, caller: 'admin' },
    {
      method: 'POST',
      url: '/v1/runs:batch',
      body: { runs: [{ workflow: r.workflow, bizId: 'b', bizType: 't', input: { k: 'v', list: [1, 'two'] }, idempotencyKey: 'j' }, { workflow: r.workflow }] },
      caller: 'admin',
    },
    { method: 'GET', url: '/v1/runs/:id', params: { id: r.runId }, caller: 'reader' },
    ...['cancel', 'suspend', 'resume', 'rerun'].map((op) => ({ method: 'POST', url: `/v1/runs/:id/${op}`, params: { id: r.runId }, caller: 'admin' as const })),
    { method: 'POST', url: '/v1/runs/:id/nodes/:node/skip', params: { id: r.runId, node: 'a' }, caller: 'admin' },
    { method: 'POST', url: '/v1/definitions', body: definition, caller: 'admin' },
    { method: 'PUT', url: '/v1/definitions/:name', params: { name: r.workflow }, body: { ...definition, name: r.workflow }, caller: 'admin' },
    { method: 'GET', url: '/v1/definitions/:name', params: { name: r.workflow }, caller: 'reader' },
    { method: 'DELETE', url: '/v1/definitions/:name', params: { name: 'NotDefined' }, caller: 'admin' },
    { method: 'GET', url: '/v1/schedules', query: { workflow: r.workflow }, caller: 'reader' },
    { method: 'GET', url: '/v1/schedules/:id', params: { id: String(r.scheduleId) }, caller: 'reader' },
    { method: 'GET', url: '/v1/schedules/:id/firings', params: { id: String(r.scheduleId) }, query: { limit: '5' }, caller: 'reader' },
    { method: 'GET', url: '/v1/schedules/:id/preview', params: { id: String(r.scheduleId) }, query: { count: '3' }, caller: 'reader' },
    { method: 'POST', url: '/v1/schedules/:id/pause', params: { id: String(r.scheduleId) }, caller: 'admin' },
    { method: 'POST', url: '/v1/credentials', body: { kind: 'explorer', role: 'reader', name: 'n', accessKey: 'fuzz_user', expiresAt: '2100-01-01T00:00:00Z' }, caller: 'admin' },
    { method: 'POST', url: '/v1/credentials', body: { kind: 'secret', name: 'k', secret: 'value', orgId: r.orgId }, caller: 'superadmin' },
    { method: 'DELETE', url: '/v1/credentials/:id', params: { id: '00000000-0000-4000-8000-00000000ffff' }, caller: 'admin' },
    { method: 'GET', url: '/v1/whoami', caller: 'reader' },
    { method: 'GET', url: '/v1/runs/:id/notifications', params: { id: r.runId }, caller: 'reader' },
    { method: 'POST', url: '/v1/runs:cancel', body: { ids: [r.runId] }, caller: 'admin' },
    { method: 'POST', url: '/v1/runs:rerun', body: { filter: { workflow: r.workflow, status: 'FAIL', bizType: 't', from: '2020-01-01T00:00:00Z', to: '2020-01-02T00:00:00Z' } }, caller: 'admin' },
    { method: 'GET', url: '/v1/bulk-operations', query: { limit: '5' }, caller: 'reader' },
    { method: 'GET', url: '/v1/bulk-operations/:id', params: { id: r.runId }, caller: 'reader' },
    { method: 'POST', url: '/v1/bulk-operations/:id/cancel', params: { id: r.runId }, caller: 'admin' },
    { method: 'POST', url: '/v1/schedules/:id/backfill', params: { id: String(r.scheduleId) }, body: { from: '2020-01-01T00:00:00Z', to: '2020-01-01T02:00:00Z', maxConcurrent: 2 }, caller: 'admin' },
    { method: 'GET', url: '/v1/schedules/:id/backfills', params: { id: String(r.scheduleId) }, caller: 'reader' },
    { method: 'GET', url: '/v1/backfills/:id', params: { id: r.runId }, caller: 'reader' },
    { method: 'POST', url: '/v1/backfills/:id/cancel', params: { id: r.runId }, caller: 'admin' },
    { method: 'GET', url: '/v1/audit', query: { principal: 'p', action: 'run', target: 't', surface: 'native', outcome: 'ok', from: '2020-01-01T00:00:00Z', limit: '5' }, caller: 'admin' },
    { method: 'GET', url: '/metrics', caller: 'superadmin' },
    { method: 'GET', url: '/api/v1/workflow/', query: { page: '1', pageSize: '10', status: 'Finished', flowName: r.workflow, bizId: 'b', bizType: 't' }, caller: 'reader' },
    { method: 'GET', url: '/api/v1/workflow/:workFlowId', params: { workFlowId: r.runId }, caller: 'reader' },
    ...['start', 'stop', 'cancel'].map((op) => ({ method: 'POST', url: `/api/v1/workflow/${op}`, body: { workFlowId: r.runId }, caller: 'admin' as const })),
    { method: 'POST', url: '/batch-processing-service/v2.1/flowInstances', query: { action: 'search', ...enos }, body: enosSearch, caller: 'enos' },
    { method: 'GET', url: '/batch-processing-service/v2.1/flowInstances', query: { action: 'get', ...enos, flowInstId: r.enosInstanceId }, caller: 'enos' },
    { method: 'POST', url: '/batch-processing-service/v2.1/flowInstances', query: { action: 'cancel', ...enos }, body: { flowInstId: r.enosInstanceId }, caller: 'enos' },
    { method: 'POST', url: '/api-open/v1/connect', body: { address: '127.0.0.1', port: 9669 }, caller: 'none' },
    { method: 'GET', url: '/api-open/v1/jobs', query: { filter: JSON.stringify({ name: r.workflow, status: 2, fromCreateTime: 0, orderByCreateTime: 'asc' }), pageSize: '10', page: '1' }, caller: 'explorer' },
    { method: 'GET', url: '/api-open/v1/workflows/:id/jobs', params: { id: String(r.definitionId) }, query: { filter: JSON.stringify({ status: 2 }) }, caller: 'explorer' },
    { method: 'GET', url: '/api-open/v1/jobs/:id', params: { id: String(r.runSeq) }, caller: 'explorer' },
    { method: 'POST', url: '/api-open/v1/workflows/:id/jobs', params: { id: String(r.definitionId) }, body: { input: { k: 'v' } }, caller: 'explorer' },
    { method: 'PUT', url: '/api-open/v1/jobs/:id/cancel', params: { id: String(r.runSeq) }, caller: 'explorer' },
    { method: 'GET', url: '/workflowexecution', query: { workflowId: r.tencentWorkflowId, name: 'b', orderByTime: 'Desc', size: '10', states: 'Success', startCreationTime: '2020-01-01T00:00:00+0800', jobId: 'j' }, caller: 'signed' },
    { method: 'GET', url: '/workflowexecution/:runId', params: { runId: r.tencentRunId }, caller: 'signed' },
    { method: 'POST', url: '/triggerworkflow', query: { workflowId: r.tencentWorkflowId, object: 'in/object.mp4' }, caller: 'signed' },
    { method: 'GET', url: '/v2/workflows', caller: 'signed' },
    { method: 'POST', url: '/v2/workflows/:name', params: { name: 'FuzzCreated' }, body: { region: 'nb', comment: 'c' }, caller: 'signed' },
    { method: 'PUT', url: '/v2/workflows/:name', params: { name: r.pandoraWorkflow }, body: pandora, caller: 'signed' },
    { method: 'GET', url: '/v2/workflows/:name', params: { name: r.pandoraWorkflow }, caller: 'signed' },
    { method: 'GET', url: '/v2/workflows/:name/status', params: { name: r.pandoraWorkflow }, caller: 'signed' },
    { method: 'POST', url: '/v2/workflows/:name/start', params: { name: r.pandoraWorkflow }, caller: 'signed' },
    { method: 'POST', url: '/v2/workflows/:name/stop', params: { name: r.pandoraWorkflow }, caller: 'signed' },
    { method: 'DELETE', url: '/v2/workflows/:name', params: { name: 'NotCreated' }, caller: 'signed' },
  ];
}
