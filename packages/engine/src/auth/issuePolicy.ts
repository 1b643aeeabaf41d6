import { Forbidden } from '../errors.ts';
import { ORG_ROLES, Permission, roleAllows, type Principal, type Role } from './roles.ts';

/** What a credential request asks for, as far as who may ask is concerned. */
export interface IssueTarget {
  readonly orgId: string;
  readonly role: Role;
}

/**
 * Whether `issuer` may issue a credential of `target`'s org and role, scoped
 * like revoking: an org admin issues only into its own org and only the org
 * roles (reader, operator, admin). Naming another org, or a role that reaches
 * past one org (superadmin, metrics), is a superadmin's alone — otherwise any
 * admin could mint an admin of any org, or of the shared catalog's org.
 */
export function assertMayIssue(issuer: Principal, target: IssueTarget): void {
  if (roleAllows(issuer.role, Permission.GLOBAL)) return;
  if (!roleAllows(issuer.role, Permission.ADMIN)) throw new Forbidden(issuer.role, Permission.ADMIN);
  if (target.orgId !== issuer.orgId) {
    throw new Forbidden(issuer.role, Permission.GLOBAL, `an org admin issues credentials only into its own org (${JSON.stringify(issuer.orgId)})`);
  }
  if (!ORG_ROLES.includes(target.role)) {
    throw new Forbidden(issuer.role, Permission.GLOBAL, `only a superadmin issues role ${target.role}`);
  }
}
