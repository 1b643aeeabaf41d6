import { fromAnswer, fromParam, type AuditedRoutes } from '../../audit/auditedRoutes.ts';

/** Explorer's changing calls in the audit trail; job ids are run sequence numbers, as the dialect shows them. */
export const EXPLORER_AUDITED_ROUTES: AuditedRoutes = {
  'POST /connect': { action: 'session.open' },
  'POST /workflows/:id/jobs': {
    action: 'run.start',
    // the new job's id; when none started, the workflow asked for
    target: fromAnswer('data.id', (request) => `workflow ${fromParam('id')(request) ?? ''}`),
  },
  'PUT /jobs/:id/cancel': { action: 'run.cancel', target: fromParam('id') },
};
