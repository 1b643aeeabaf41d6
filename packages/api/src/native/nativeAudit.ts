import { fromAnswer, fromBody, fromParam, type AuditedRoutes } from '../audit/auditedRoutes.ts';

/** How many starts a batch asked for, whatever its body held. */
const batchSize = (body: unknown) => (body !== null && typeof body === 'object' && Object.hasOwn(body, 'runs') && Array.isArray((body as { runs: unknown }).runs) ? (body as { runs: unknown[] }).runs.length : 0);

const RUN_OPERATIONS = ['cancel', 'suspend', 'resume', 'rerun'] as const;

/**
 * The native API's changing calls in the audit trail. A start names the run
 * it started (the workflow when none did); an issued credential, bulk
 * operation (`runs.cancel`: many runs at once) or backfill names its new id.
 */
export const NATIVE_AUDITED_ROUTES: AuditedRoutes = {
  'POST /v1/runs': { action: 'run.start', target: fromAnswer('id', fromBody('workflow')) },
  ...Object.fromEntries(RUN_OPERATIONS.map((op) => [`POST /v1/runs/:id/${op}`, { action: `run.${op}`, target: fromParam('id') }])),
  'POST /v1/runs::batch': { action: 'runs.start', target: (request) => `${batchSize(request.body)} starts` },
  'POST /v1/runs/:id/nodes/:node/skip': { action: 'run.skip', target: (request) => `${fromParam('id')(request) ?? ''}/${fromParam('node')(request) ?? ''}` },
  'POST /v1/runs/:id/signals/:name': { action: 'run.signal', target: (request) => `${fromParam('id')(request) ?? ''}/${fromParam('name')(request) ?? ''}` },
  ...Object.fromEntries(
    ['approve', 'reject'].map((op) => [`POST /v1/runs/:id/nodes/:node/${op}`, { action: `run.${op}`, target: (request) => `${fromParam('id')(request) ?? ''}/${fromParam('node')(request) ?? ''}` }]),
  ),
  'POST /v1/definitions': { action: 'definition.create', target: fromBody('name') },
  'PUT /v1/definitions/:name': { action: 'definition.update', target: fromParam('name') },
  'DELETE /v1/definitions/:name': { action: 'definition.delete', target: fromParam('name') },
  'POST /v1/schedules/:id/pause': { action: 'schedule.pause', target: fromParam('id') },
  'POST /v1/schedules/:id/resume': { action: 'schedule.resume', target: fromParam('id') },
  'POST /v1/schedules/:id/backfill': { action: 'schedule.backfill', target: fromParam('id') },
  'POST /v1/backfills/:id/cancel': { action: 'backfill.cancel', target: fromParam('id') },
  'POST /v1/credentials': { action: 'credential.issue', target: fromAnswer('id') },
  'DELETE /v1/credentials/:id': { action: 'credential.revoke', target: fromParam('id') },
  ...Object.fromEntries(['cancel', 'rerun', 'resume'].map((op) => [`POST /v1/runs::${op}`, { action: `runs.${op}`, target: fromAnswer('id') }])),
  'POST /v1/bulk-operations/:id/cancel': { action: 'bulk-operation.cancel', target: fromParam('id') },
};
