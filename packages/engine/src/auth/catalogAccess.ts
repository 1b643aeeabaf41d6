import { Forbidden } from '../errors.ts';
import { SHARED_CATALOG_ORG } from '../runtime/definitionCatalog.ts';
import { Permission, roleAllows, type Principal } from './roles.ts';

/**
 * Whether `principal` may create, change or delete definitions of its org.
 * The shared catalog's org is the one every org starts definitions from (a
 * change there runs in every tenant), so there it takes a superadmin; an admin
 * of that org may still start and read them.
 */
export function assertMayChangeDefinitions(principal: Principal): void {
  if (!roleAllows(principal.role, Permission.ADMIN)) throw new Forbidden(principal.role, Permission.ADMIN);
  if (principal.orgId === SHARED_CATALOG_ORG && !roleAllows(principal.role, Permission.GLOBAL)) {
    throw new Forbidden(principal.role, Permission.GLOBAL, 'the shared catalog (org "default") is changed by a superadmin only');
  }
}
