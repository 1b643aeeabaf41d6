import type { WorkflowSpec } from '../core/spec.ts';
import type { Queryable } from './database.ts';
import type { DefinitionVersionRecord } from './definitionStore.ts';

/** The latest version of the definition a start of `name` by the org would run: its own, else the shared catalog's. */
export async function findVisibleDefinition(db: Queryable, orgId: string, sharedOrgId: string, name: string): Promise<DefinitionVersionRecord | undefined> {
  const result = await db.query<{ id: number; orgId: string; latest_version: number; spec: WorkflowSpec }>(
    `SELECT d.id, d.org_id AS "orgId", d.latest_version, v.spec
       FROM definitions d JOIN definition_versions v ON v.definition_id = d.id AND v.version = d.latest_version
      WHERE d.org_id IN ($1, $2) AND d.name = $3 AND d.deleted_at IS NULL
      ORDER BY d.org_id = $1 DESC
      LIMIT 1`,
    [orgId, sharedOrgId, name],
  );
  const row = result.rows[0];
  return row && { id: row.id, orgId: row.orgId, name, version: row.latest_version, spec: row.spec };
}
