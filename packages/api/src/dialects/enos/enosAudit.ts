import { fromBody, fromQuery, type AuditedRoutes } from '../../audit/auditedRoutes.ts';

/** EnOS's one route takes every action: only `cancel` changes anything (search and get are POSTs that read). */
export const ENOS_AUDITED_ROUTES: AuditedRoutes = {
  'POST /flowInstances': {
    action: (request) => (fromQuery('action')(request) === 'cancel' ? 'run.cancel' : undefined),
    target: fromBody('flowInstId'),
  },
};
