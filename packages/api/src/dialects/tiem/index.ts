import type { Dialect } from '../dialect.ts';
import { TIEM_AUDITED_ROUTES } from './tiemAudit.ts';
import { tiemErrorReply, tiemNotFoundReply } from './tiemErrors.ts';
import { registerTiemRoutes } from './tiemRoutes.ts';

/** TiEM / TiUniManager's workflow API (seed 000_3cd2fac0dd0fa137). */
export const tiemDialect: Dialect = {
  name: 'tiem',
  prefix: '/api/v1',
  audit: TIEM_AUDITED_ROUTES,
  register(scope, context) {
    scope.setErrorHandler(tiemErrorReply);
    scope.setNotFoundHandler(tiemNotFoundReply);
    registerTiemRoutes(scope, context);
  },
};
