import type { Database } from './database.ts';
import { isPostgresUnavailable } from './sqlState.ts';

/** The longest wait between two tries, however long Postgres stays away. */
const MAX_WAIT_MS = 10_000;

/**
 * Waits until Postgres answers, trying again with a growing pause (0.5 s
 * doubling to 10 s) while it is down, starting, or out of connection slots
 * ("sorry, too many clients already"): a process started beside a Postgres
 * that is not ready yet, or a fleet briefly over its connection budget, comes
 * up when it can instead of exiting. Each failed try is reported to `onWait`
 * (a clear log line). An error waiting does not fix — a wrong password, a
 * database that does not exist — is thrown at once.
 */
export async function waitForDatabase(db: Database, onWait: (reason: string, retryInMs: number) => void): Promise<void> {
  for (let waitMs = 500; ; waitMs = Math.min(MAX_WAIT_MS, waitMs * 2)) {
    try {
      await db.pool.query('SELECT 1');
      return;
    } catch (error) {
      if (!isPostgresUnavailable(error)) throw error;
      onWait((error as Error).message, waitMs);
      await new Promise((resolve) => setTimeout(resolve, waitMs));
    }
  }
}
