/**
 * Roles a principal can have, and what each may do. Readers read; operators
 * also start, stop, cancel and rerun; admins also manage definitions and
 * credentials. Every permission is within the principal's org.
 */
export const Role = { READER: 'reader', OPERATOR: 'operator', ADMIN: 'admin' } as const;
export type Role = (typeof Role)[keyof typeof Role];
/** Every role, lowest first, for schemas that enumerate them. */
export const ROLES = Object.values(Role) as [Role, ...Role[]];

/** What an operation needs: reading, operating runs, or administering. */
export const Permission = { READ: 'read', OPERATE: 'operate', ADMIN: 'admin' } as const;
export type Permission = (typeof Permission)[keyof typeof Permission];

const GRANTS: Record<Role, readonly Permission[]> = {
  reader: [Permission.READ],
  operator: [Permission.READ, Permission.OPERATE],
  admin: [Permission.READ, Permission.OPERATE, Permission.ADMIN],
};

/** Whether a role grants a permission (admin > operator > reader). */
export function roleAllows(role: Role, permission: Permission): boolean {
  return GRANTS[role].includes(permission);
}

/** Who is calling: resolved from a credential of any dialect's kind. */
export interface Principal {
  readonly id: string;
  readonly name: string;
  readonly orgId: string;
  readonly role: Role;
  readonly credentialId: string;
}
