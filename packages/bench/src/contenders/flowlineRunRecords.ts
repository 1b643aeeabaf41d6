import pg from 'pg';

/** Run statuses after which a run changes only if an operator reruns it (the engine's terminal set). */
const ENDED = [-1, 1, 4, 7, 8, 10];
const SUCCESS = 1;

/**
 * How soon the run row is read again: every 5 ms, then every 2% of the time
 * waited so far, so the poll adds at most 2% to a time it ends (5 ms at least)
 * and a 10,000-wide fan-out is not met by a thousand reads competing with it.
 */
const pollDelay = (waitedMs: number) => Math.max(5, waitedMs / 50);

/**
 * What the harness reads of one flowline run from its database, on a
 * connection of its own, from outside the processes that run it: when the run
 * row says it ended, and what its nodes recorded.
 */
export interface FlowlineRunRecords {
  /** resolves once the run row says it ended; throws unless it ended in SUCCESS */
  untilSucceeded(runId: string): Promise<void>;
  /** each node's output field `field`, a number, in the nodes' definition order */
  nodeNumbers(runId: string, field: string): Promise<number[]>;
  end(): Promise<void>;
}

export function flowlineRunRecords(url: string): FlowlineRunRecords {
  const pool = new pg.Pool({ connectionString: url, max: 1 });
  return {
    async untilSucceeded(runId) {
      const id = uuidOf(runId);
      const since = performance.now();
      for (;;) {
        // A primary-key read of one row: the cheapest question Postgres can be asked about the run.
        const { rows } = await pool.query<{ status: number }>(`SELECT status FROM workflow_runs WHERE id = $1`, [id]);
        const status = rows[0]?.status;
        if (status !== undefined && ENDED.includes(status)) {
          if (status !== SUCCESS) throw new Error(`flowline run ${runId} ended in status ${status}, not SUCCESS`);
          return;
        }
        await new Promise((resolve) => setTimeout(resolve, pollDelay(performance.now() - since)));
      }
    },
    async nodeNumbers(runId, field) {
      const { rows } = await pool.query<{ value: number | null }>(
        `SELECT (output ->> $2)::float8 AS value FROM node_runs WHERE run_id = $1 ORDER BY position`,
        [uuidOf(runId), field],
      );
      return rows.map(({ value }) => {
        if (value === null) throw new Error(`flowline run ${runId}: a node has no ${field} in its output`);
        return value;
      });
    },
    end: () => pool.end(),
  };
}

/** The stored uuid of a run id as the API shows it (22-char base64url): Postgres reads 32 hex digits as a uuid. */
function uuidOf(runId: string): string {
  return Buffer.from(runId, 'base64url').toString('hex');
}
