import { isDeepStrictEqual } from 'node:util';
import type { WorkflowSpec } from '../core/spec.ts';
import { inTransaction, type Database, type Queryable } from './database.ts';
import type { IssuedWebhook } from './listWebhooks.ts';
import { isUniqueViolation } from './sqlState.ts';

/** One stored version of a definition, with its spec. */
export interface DefinitionVersionRecord {
  readonly id: number;
  readonly orgId: string;
  readonly name: string;
  readonly version: number;
  readonly spec: WorkflowSpec;
  /** the webhooks this store declared for the first time, with their secrets (shown once); absent on reads */
  readonly issuedWebhooks?: readonly IssuedWebhook[];
}

/**
 * Creates the definition or, if its DAG changed, adds a new version. An unchanged
 * spec keeps the current version, so applying the same file twice is a no-op.
 * Runs already started keep the version they pinned.
 */
export async function upsertDefinition(db: Database, orgId: string, spec: WorkflowSpec): Promise<DefinitionVersionRecord> {
  for (let attempt = 0; ; attempt++) {
    try {
      return await inTransaction(db, async (client) => {
        const existing = await client.query<{ id: number; latest_version: number; spec: WorkflowSpec }>(
          `SELECT d.id, d.latest_version, v.spec
             FROM definitions d JOIN definition_versions v ON v.definition_id = d.id AND v.version = d.latest_version
            WHERE d.org_id = $1 AND d.name = $2 AND d.deleted_at IS NULL
            FOR UPDATE OF d`,
          [orgId, spec.name],
        );
        const row = existing.rows[0];
        if (row && isDeepStrictEqual(row.spec, spec)) {
          return { id: row.id, orgId, name: spec.name, version: row.latest_version, spec: row.spec };
        }
        let id: number;
        let version: number;
        if (row) {
          id = row.id;
          version = row.latest_version + 1;
          await client.query(
            `UPDATE definitions SET latest_version = $2, description = $3, updated_at = now() WHERE id = $1`,
            [id, version, spec.description ?? ''],
          );
        } else {
          const inserted = await client.query<{ id: number }>(
            `INSERT INTO definitions (org_id, name, latest_version, description) VALUES ($1, $2, 1, $3) RETURNING id`,
            [orgId, spec.name, spec.description ?? ''],
          );
          id = inserted.rows[0]!.id;
          version = 1;
        }
        await client.query(`INSERT INTO definition_versions (definition_id, version, spec) VALUES ($1, $2, $3)`, [
          id,
          version,
          JSON.stringify(spec),
        ]);
        return { id, orgId, name: spec.name, version, spec };
      });
    } catch (error) {
      // Two creators of the same new name: the loser retries and finds the winner's row.
      if (attempt < 3 && isUniqueViolation(error)) continue;
      throw error;
    }
  }
}

/** The latest version of a live definition, by name. */
export async function findLatestDefinition(
  db: Database,
  orgId: string,
  name: string,
): Promise<DefinitionVersionRecord | undefined> {
  const result = await db.pool.query<{ id: number; latest_version: number; spec: WorkflowSpec }>(
    `SELECT d.id, d.latest_version, v.spec
       FROM definitions d JOIN definition_versions v ON v.definition_id = d.id AND v.version = d.latest_version
      WHERE d.org_id = $1 AND d.name = $2 AND d.deleted_at IS NULL`,
    [orgId, name],
  );
  const row = result.rows[0];
  return row && { id: row.id, orgId, name, version: row.latest_version, spec: row.spec };
}

/**
 * Which version of a live definition is the latest, by name: the id and
 * version only, for callers that take the (immutable) spec from a cache —
 * a start of a 10,000-node workflow no longer reads and parses its spec.
 */
export async function findLatestVersion(db: Database, orgId: string, name: string): Promise<{ id: number; version: number } | undefined> {
  const result = await db.pool.query<{ id: number; version: number }>({
    name: 'find-latest-version',
    text: `SELECT id, latest_version AS version FROM definitions WHERE org_id = $1 AND name = $2 AND deleted_at IS NULL`,
    values: [orgId, name],
  });
  return result.rows[0];
}

/** A live definition by its numeric id (Explorer's workflowId), whatever its org: callers check the org. */
export async function findDefinitionById(db: Database, id: number): Promise<{ id: number; orgId: string; name: string } | undefined> {
  const result = await db.pool.query<{ id: number; orgId: string; name: string }>(
    `SELECT id, org_id AS "orgId", name FROM definitions WHERE id = $1 AND deleted_at IS NULL`,
    [id],
  );
  return result.rows[0];
}

/** One pinned version's spec; versions are immutable, so callers may cache the answer forever. */
export async function loadDefinitionVersion(db: Queryable, id: number, version: number): Promise<WorkflowSpec | undefined> {
  const result = await db.query<{ spec: WorkflowSpec }>(
    `SELECT spec FROM definition_versions WHERE definition_id = $1 AND version = $2`,
    [id, version],
  );
  return result.rows[0]?.spec;
}

/** Soft-deletes a live definition (its runs keep pointing at it); false when there is none. */
export async function deleteDefinition(db: Database, orgId: string, name: string, now: Date): Promise<boolean> {
  const result = await db.pool.query(
    `UPDATE definitions SET deleted_at = $3, updated_at = $3 WHERE org_id = $1 AND name = $2 AND deleted_at IS NULL`,
    [orgId, name, now],
  );
  return result.rowCount === 1;
}
