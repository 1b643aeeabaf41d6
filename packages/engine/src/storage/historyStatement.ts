import { createHash } from 'node:crypto';
import type pg from 'pg';

/**
 * A history read (a list, a page, a count over runs) as a named statement,
 * its name the hash of its text: each filter's shape is planned once per
 * connection and then runs on Postgres's cached plan. Planning is what a
 * partitioned history costs: a list reads every partition, and planning one
 * index scan per partition and index took 4–5 ms a query with 18 weekly
 * partitions (2M runs), where running it took ~1.5 ms (pgbench, simple vs
 * prepared protocol). Behind a pooler the name is dropped (see Database), and
 * every statement is planned again.
 */
export function historyStatement(text: string, values: readonly unknown[]): pg.QueryConfig {
  return { name: `history-${createHash('sha1').update(text).digest('base64url').slice(0, 20)}`, text, values: [...values] };
}
