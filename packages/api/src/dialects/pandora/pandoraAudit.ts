import { fromParam, type AuditedRoutes } from '../../audit/auditedRoutes.ts';

/** Pandora's changing calls in the audit trail, each about a workflow (a definition) by name. */
export const PANDORA_AUDITED_ROUTES: AuditedRoutes = {
  'POST /:name': { action: 'definition.create', target: fromParam('name') },
  'PUT /:name': { action: 'definition.update', target: fromParam('name') },
  'DELETE /:name': { action: 'definition.delete', target: fromParam('name') },
  'POST /:name/start': { action: 'run.start', target: fromParam('name') },
  'POST /:name/stop': { action: 'run.cancel', target: fromParam('name') },
};
