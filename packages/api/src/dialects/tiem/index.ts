import type { Dialect } from '../dialect.ts';
import { tiemErrorReply, tiemNotFoundReply } from './tiemErrors.ts';
import { registerTiemRoutes } from './tiemRoutes.ts';

/** TiEM / TiUniManager's workflow API (seed 000_3cd2fac0dd0fa137). */
export const tiemDialect: Dialect = {
  name: 'tiem',
  prefix: '/api/v1',
  register(scope, context) {
    scope.setErrorHandler(tiemErrorReply);
    scope.setNotFoundHandler(tiemNotFoundReply);
    registerTiemRoutes(scope, context);
  },
};
