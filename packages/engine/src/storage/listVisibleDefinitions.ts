import type { WorkflowSpec } from '../core/spec.ts';
import type { Queryable } from './database.ts';

/** A definition as lists show it: its latest version, whose org it is, and whether it is the shared catalog's. */
export interface DefinitionSummary {
  readonly id: number;
  readonly orgId: string;
  readonly name: string;
  readonly version: number;
  readonly description: string;
  readonly spec: WorkflowSpec;
  /** of the shared catalog, not the org's own: the org starts and reads it, a superadmin changes it */
  readonly shared: boolean;
  readonly createdAt: Date;
  readonly updatedAt: Date;
}

/**
 * The live definitions an org may start, by name: its own, and the shared
 * catalog's that no definition of its own shadows — exactly what a start
 * resolves (DefinitionCatalog.resolveForStart), so a list never hides what
 * a start would run, nor shows what it would refuse.
 */
export async function listVisibleDefinitions(db: Queryable, orgId: string, sharedOrgId: string): Promise<DefinitionSummary[]> {
  const result = await db.query<DefinitionSummary>(
    `SELECT DISTINCT ON (d.name) d.id, d.org_id AS "orgId", d.name, d.latest_version AS version, d.description, v.spec,
            d.org_id <> $1 AS shared, d.created_at AS "createdAt", d.updated_at AS "updatedAt"
       FROM definitions d JOIN definition_versions v ON v.definition_id = d.id AND v.version = d.latest_version
      WHERE d.org_id IN ($1, $2) AND d.deleted_at IS NULL
      ORDER BY d.name, d.org_id = $1 DESC`,
    [orgId, sharedOrgId],
  );
  return result.rows;
}
