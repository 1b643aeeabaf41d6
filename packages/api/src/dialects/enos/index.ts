import type { Dialect } from '../dialect.ts';
import { ENOS_AUDITED_ROUTES } from './enosAudit.ts';
import { enosErrorReply, enosNotFoundReply } from './enosErrors.ts';
import { registerEnosRoutes } from './enosRoutes.ts';

/** EnOS batch-processing flow instances (seed 001_d19c5d8b9ca9d34a). */
export const enosDialect: Dialect = {
  name: 'enos',
  prefix: '/batch-processing-service/v2.1',
  audit: ENOS_AUDITED_ROUTES,
  register(scope, context) {
    scope.setErrorHandler(enosErrorReply);
    scope.setNotFoundHandler(enosNotFoundReply);
    registerEnosRoutes(scope, context);
  },
};
