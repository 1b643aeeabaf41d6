import type { CredentialAuthority, Engine } from '@flowline/engine';
import type { FastifyInstance } from 'fastify';
import type { AuditedRoutes } from '../audit/auditedRoutes.ts';

/** What a dialect's routes act on. */
export interface DialectContext {
  readonly engine: Engine;
  readonly authority: CredentialAuthority;
  /** IANA zone the dialect renders times in (FLOWLINE_TZ) */
  readonly timeZone: string;
}

/**
 * A vendor API flowline speaks. Each lives in its own folder under dialects/
 * (routes, mapper from engine records to the vendor's fields, error table,
 * auth) and is registered in an encapsulated fastify scope under its prefix,
 * so its error handler, not-found handler and body parsers apply to its routes
 * only. Adding a vendor is one folder and one line in DIALECTS.
 */
export interface Dialect {
  readonly name: string;
  /** path prefix of its routes ('' for vendors whose paths start at the root) */
  readonly prefix: string;
  /** how its changing calls are named in the audit trail (the API's audit hook records them) */
  readonly audit: AuditedRoutes;
  register(scope: FastifyInstance, context: DialectContext): Promise<void> | void;
}
