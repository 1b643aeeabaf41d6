import { readFileSync } from 'node:fs';
import { Redis } from 'ioredis';
import pg from 'pg';

/** Where a contender's work is done, for the cost of its runs: its database, and the processes it started besides the benchmark's own. */
export interface CostSources {
  /** its scratch database; absent for a contender without one (BullMQ) */
  readonly databaseUrl?: string;
  /** the processes it runs its work in apart from the benchmark's (flowline as shipped: api and worker) */
  childPids(): readonly number[];
}

/** What one run cost a contender, on average over a measured pass: the numbers behind its throughput. */
export interface RunCost {
  /** Postgres transactions committed in its database (statements outside a transaction are one each) */
  readonly transactions: number;
  /** rows inserted, updated or deleted in its database's tables */
  readonly rowsWritten: number;
  /** WAL written by the whole server: meaningful on a server doing nothing else */
  readonly walBytes: number;
  /** CPU of the benchmark process (producers, and an in-process contender) and of the contender's own processes */
  readonly nodeCpuMs: number;
  /** CPU of the Postgres backends serving its database */
  readonly postgresCpuMs: number;
  /** CPU of the Redis server: meaningful on a Redis doing nothing else */
  readonly redisCpuMs: number;
}

/** Clock ticks a second of /proc/<pid>/stat's utime and stime (USER_HZ, 100 on Linux). */
const TICKS_PER_SECOND = 100;

/** A process's user + system CPU so far, in ms; 0 once it is gone. */
function processCpuMs(pid: number): number {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    // Fields after the command name, which may hold spaces, closed by the last ')'.
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return ((Number(fields[11]) + Number(fields[12])) * 1000) / TICKS_PER_SECOND;
  } catch {
    return 0;
  }
}

interface Snapshot {
  readonly transactions: number;
  readonly rowsWritten: number;
  readonly walLsn: bigint;
  readonly postgresCpu: ReadonlyMap<number, number>;
  readonly nodeCpuMs: number;
  readonly redisCpuMs: number;
}

const lsnBytes = (lsn: string): bigint => {
  const [high, low] = lsn.split('/');
  return (BigInt(`0x${high}`) << 32n) + BigInt(`0x${low}`);
};

/**
 * Measures what a pass of `runs` runs costs a contender (see RunCost): a
 * snapshot of its database's counters, the server's WAL position and the CPU
 * of every process doing its work before and after `work`. Postgres backends
 * are those connected to its database at either snapshot; one that opened
 * and closed in between is missed (every contender keeps a pool open).
 */
export async function meterRunCost(sources: CostSources, redisUrl: string, runs: number, work: () => Promise<void>): Promise<RunCost> {
  const database = sources.databaseUrl ? new pg.Client({ connectionString: sources.databaseUrl }) : undefined;
  const redis = new Redis(redisUrl, { maxRetriesPerRequest: 3, lazyConnect: true });
  await database?.connect();
  await redis.connect();
  try {
    const snapshot = async (): Promise<Snapshot> => {
      const [counters, backends, info] = await Promise.all([
        database?.query<{ transactions: string; rows: string; lsn: string }>(
          `SELECT (SELECT xact_commit FROM pg_stat_database WHERE datname = current_database()) AS transactions,
                  (SELECT COALESCE(sum(n_tup_ins + n_tup_upd + n_tup_del), 0) FROM pg_stat_user_tables) AS rows,
                  pg_current_wal_lsn()::text AS lsn`,
        ),
        database?.query<{ pid: number }>(`SELECT pid FROM pg_stat_activity WHERE datname = current_database() AND pid <> pg_backend_pid()`),
        redis.info('cpu'),
      ]);
      // The counters of pg_stat_* are those as of this transaction's start, taken afresh by each statement outside one.
      const row = counters?.rows[0];
      const usage = process.cpuUsage();
      const redisCpu = /used_cpu_sys:([\d.]+)[\s\S]*used_cpu_user:([\d.]+)/.exec(info);
      return {
        transactions: Number(row?.transactions ?? 0),
        rowsWritten: Number(row?.rows ?? 0),
        walLsn: row ? lsnBytes(row.lsn) : 0n,
        postgresCpu: new Map((backends?.rows ?? []).map(({ pid }) => [pid, processCpuMs(pid)])),
        nodeCpuMs: (usage.user + usage.system) / 1000 + sources.childPids().reduce((sum, pid) => sum + processCpuMs(pid), 0),
        redisCpuMs: redisCpu ? (Number(redisCpu[1]) + Number(redisCpu[2])) * 1000 : 0,
      };
    };
    const before = await snapshot();
    await work();
    // pg_stat counters reach the shared view when a backend goes idle (up to PGSTAT_MIN_INTERVAL, 1 s, later).
    await new Promise((resolve) => setTimeout(resolve, 1_100));
    const after = await snapshot();
    let postgresCpuMs = 0;
    for (const [pid, ms] of after.postgresCpu) postgresCpuMs += ms - (before.postgresCpu.get(pid) ?? 0);
    const per = (value: number) => value / runs;
    return {
      transactions: per(after.transactions - before.transactions),
      rowsWritten: per(after.rowsWritten - before.rowsWritten),
      walBytes: per(Number(after.walLsn - before.walLsn)),
      nodeCpuMs: per(after.nodeCpuMs - before.nodeCpuMs),
      postgresCpuMs: per(postgresCpuMs),
      redisCpuMs: per(after.redisCpuMs - before.redisCpuMs),
    };
  } finally {
    await database?.end();
    redis.disconnect();
  }
}
