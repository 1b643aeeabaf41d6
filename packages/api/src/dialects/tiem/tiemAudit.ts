import { fromBody, type AuditedRoutes } from '../../audit/auditedRoutes.ts';

/** TiEM's changing calls in the audit trail: start resumes a stopped flow, stop suspends it (see tiemRoutes). */
export const TIEM_AUDITED_ROUTES: AuditedRoutes = {
  'POST /workflow/start': { action: 'run.resume', target: fromBody('workFlowId') },
  'POST /workflow/stop': { action: 'run.suspend', target: fromBody('workFlowId') },
  'POST /workflow/cancel': { action: 'run.cancel', target: fromBody('workFlowId') },
};
