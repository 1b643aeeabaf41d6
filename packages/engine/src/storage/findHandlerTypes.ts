import type { Queryable } from './database.ts';

/** A registered handler type as a definition's validation needs it: its name and input schema. */
export interface RegisteredHandlerType {
  readonly name: string;
  readonly inputSchema: Record<string, unknown> | null;
}

/** Which of these names some worker registered as handler types (alive or not). */
export async function findHandlerTypes(db: Queryable, names: readonly string[]): Promise<RegisteredHandlerType[]> {
  if (names.length === 0) return [];
  const result = await db.query<RegisteredHandlerType>(
    `SELECT name, input_schema AS "inputSchema" FROM handler_types WHERE name = ANY($1::text[])`,
    [names],
  );
  return result.rows;
}
