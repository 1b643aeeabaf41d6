import { fromQuery, type AuditedRoutes } from '../../audit/auditedRoutes.ts';

/** Tencent CI's changing call in the audit trail: the run's InstanceId when it started, else the workflow asked for. */
export const TENCENT_AUDITED_ROUTES: AuditedRoutes = {
  'POST /triggerworkflow': {
    action: 'run.start',
    target: (request, answer) => /<InstanceId>([^<]+)<\/InstanceId>/.exec(answer())?.[1] ?? fromQuery('workflowId')(request),
  },
};
