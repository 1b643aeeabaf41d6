/**
 * Roles a principal can have, and what each may do. Readers read; operators
 * also start, stop, cancel and rerun; admins also manage definitions and
 * credentials — all three within the principal's own org. Two roles reach past
 * one org: `superadmin` (the FLOWLINE_ADMIN_TOKEN principal, or one a
 * superadmin issued) may issue credentials into any org and change the shared
 * catalog every org starts from; `metrics` may only scrape `/metrics`, whose
 * series name every org's workflows, so only a superadmin issues it.
 */
export const Role = { READER: 'reader', OPERATOR: 'operator', ADMIN: 'admin', SUPERADMIN: 'superadmin', METRICS: 'metrics' } as const;
export type Role = (typeof Role)[keyof typeof Role];
/** Every role, lowest first, for schemas that enumerate them. */
export const ROLES = Object.values(Role) as [Role, ...Role[]];

/** What an operation needs: reading, operating runs, administering an org, reaching past one org, or scraping metrics. */
export const Permission = {
  READ: 'read',
  OPERATE: 'operate',
  ADMIN: 'admin',
  /** issue credentials into any org (and any role), change the shared catalog */
  GLOBAL: 'global',
  /** scrape /metrics */
  METRICS: 'metrics',
} as const;
export type Permission = (typeof Permission)[keyof typeof Permission];

const GRANTS: Record<Role, readonly Permission[]> = {
  reader: [Permission.READ],
  operator: [Permission.READ, Permission.OPERATE],
  admin: [Permission.READ, Permission.OPERATE, Permission.ADMIN],
  superadmin: [Permission.READ, Permission.OPERATE, Permission.ADMIN, Permission.GLOBAL, Permission.METRICS],
  metrics: [Permission.METRICS],
};

/** Whether a role grants a permission (superadmin > admin > operator > reader; metrics only scrapes). */
export function roleAllows(role: Role, permission: Permission): boolean {
  // A role stored by a newer flowline (or edited by hand) grants nothing rather than throwing.
  return Object.hasOwn(GRANTS, role) && GRANTS[role].includes(permission);
}

/** Roles an org admin may hand out in its own org; the others reach past one org and are a superadmin's to issue. */
export const ORG_ROLES: readonly Role[] = [Role.READER, Role.OPERATOR, Role.ADMIN];

/** Who is calling: resolved from a credential of any dialect's kind. */
export interface Principal {
  readonly id: string;
  readonly name: string;
  readonly orgId: string;
  readonly role: Role;
  readonly credentialId: string;
}
