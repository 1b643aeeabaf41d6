import type { Queryable } from './database.ts';
import { isUndefinedTable } from './sqlState.ts';

/**
 * The creation times (drizzle's `created_at`, the journal's `when`) of the
 * migrations applied to a database, from drizzle's own ledger. A database no
 * migration ever touched has no ledger: that is an empty list, not an error.
 */
export async function listAppliedMigrations(db: Queryable): Promise<number[]> {
  try {
    const result = await db.query<{ createdAt: number }>(`SELECT created_at AS "createdAt" FROM drizzle.__drizzle_migrations`);
    return result.rows.map((r) => Number(r.createdAt));
  } catch (error) {
    if (isUndefinedTable(error)) return [];
    throw error;
  }
}
