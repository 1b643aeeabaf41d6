import type pg from 'pg';
import type { Logger } from 'pino';
import type { Database } from '../storage/database.ts';
import { holdLivenessLock } from '../storage/workerLiveness.ts';

/** The longest pause between two tries to take the lock again. */
const MAX_RETRY_MS = 5_000;

/**
 * A worker's liveness lock (see storage/workerLiveness.ts), held on a
 * connection of the process's pool for as long as the worker runs. If the
 * connection is lost (Postgres restarted, a network cut), the lock is taken
 * again on a new one as soon as Postgres answers: until then other processes
 * may see the worker as dead and re-run its attempts, whose leases it then
 * finds taken over and stops.
 */
export class LivenessLock {
  private client: pg.PoolClient | undefined;
  private released = false;
  private retry: NodeJS.Timeout | undefined;

  constructor(
    private readonly db: Database,
    private readonly leaseOwner: string,
    private readonly logger: Logger | undefined,
  ) {}

  /** Takes the lock; settles once it is held (waiting while Postgres is away). */
  async hold(waitMs = 250): Promise<void> {
    if (this.released) return;
    let client: pg.PoolClient | undefined;
    try {
      client = await this.db.pool.connect();
      const held = client;
      client.on('error', () => this.lost(held));
      await holdLivenessLock(client, this.leaseOwner);
      this.client = client;
    } catch (error) {
      client?.release(true);
      this.logger?.warn({ err: error, retryInMs: waitMs }, 'worker liveness lock not taken yet; trying again');
      await new Promise<void>((resolve) => (this.retry = setTimeout(resolve, waitMs)));
      return this.hold(Math.min(MAX_RETRY_MS, waitMs * 2));
    }
  }

  /** Gives the lock up: the session ends, and with it the lock. */
  release(): void {
    this.released = true;
    clearTimeout(this.retry);
    this.client?.release(true);
    this.client = undefined;
  }

  /** The lock's connection died: the lock went with it; take it again. */
  private lost(client: pg.PoolClient): void {
    if (this.client !== client) return;
    this.client = undefined;
    client.release(true);
    if (this.released) return;
    this.logger?.warn({ leaseOwner: this.leaseOwner }, 'worker liveness lock lost with its connection; taking it again');
    void this.hold();
  }
}
