import type { Queryable } from './database.ts';

/**
 * SQL: whether the node row under `alias` holds an output worth sending. A
 * parent's output that is missing from an answer is null to its child, so a
 * null output is not read out: a join of 10,000 side-effect nodes is handed
 * none of their 10,000 nulls.
 */
export const carriesOutput = (alias: string): string => `${alias}.output IS NOT NULL AND ${alias}.output <> 'null'::jsonb`;

/** The nodes of one run whose outputs a child needs: its parents. */
export interface OutputsWanted {
  readonly runId: string;
  readonly nodes: readonly string[];
}

/**
 * The outputs of the named nodes, per run, for passing parents' results to
 * their children: one statement for every child a worker claimed together.
 * Null outputs are left out (see carriesOutput).
 */
export async function loadNodeOutputs(db: Queryable, wanted: readonly OutputsWanted[]): Promise<Map<string, Record<string, unknown>>> {
  const outputs = new Map<string, Record<string, unknown>>(wanted.map((w) => [w.runId, {}]));
  const pairs = wanted.flatMap((w) => w.nodes.map((node) => [w.runId, node] as const));
  if (pairs.length === 0) return outputs;
  const result = await db.query<{ runId: string; name: string; output: unknown }>({
    name: 'load-node-outputs',
    text: `SELECT n.run_id AS "runId", n.name, n.output
       FROM node_runs n JOIN unnest($1::uuid[], $2::text[]) AS w(run_id, name) ON n.run_id = w.run_id AND n.name = w.name
      WHERE ${carriesOutput('n')}`,
    values: [pairs.map((p) => p[0]), pairs.map((p) => p[1])],
  });
  for (const row of result.rows) outputs.get(row.runId)![row.name] = row.output;
  return outputs;
}
