import type { Queryable } from './database.ts';

/**
 * The node that took a signal, if one did. `FOR SHARE` waits for a take in
 * progress (consumeSignal's write, whose row lock made the sender's own take
 * skip the signal) and reads what it wrote.
 */
export async function readSignalTaker(db: Queryable, signalId: number): Promise<string | null> {
  const result = await db.query<{ node: string | null }>(`SELECT consumed_by AS node FROM run_signals WHERE id = $1 FOR SHARE`, [signalId]);
  return result.rows[0]?.node ?? null;
}
