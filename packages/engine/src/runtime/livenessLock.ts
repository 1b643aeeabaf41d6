import type { Logger } from 'pino';
import type { Database, SessionConnection } from '../storage/database.ts';
import { holdLivenessLock } from '../storage/workerLiveness.ts';

/** The longest pause between two tries to take the lock again. */
const MAX_RETRY_MS = 5_000;

/**
 * A worker's liveness lock (see storage/workerLiveness.ts), held on a
 * session connection (Database.connectSession: the direct URL behind a
 * pooler, whose transaction pooling would hand the lock's session to others)
 * for as long as the worker runs. If the
 * connection is lost (Postgres restarted, a network cut), the lock is taken
 * again on a new one as soon as Postgres answers: until then other processes
 * may see the worker as dead and re-run its attempts, whose leases it then
 * finds taken over and stops.
 */
export class LivenessLock {
  private session: SessionConnection | undefined;
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
    let session: SessionConnection | undefined;
    try {
      session = await this.db.connectSession();
      const held = session;
      session.client.on('error', () => this.lost(held));
      await holdLivenessLock(session.client, this.leaseOwner);
      this.session = session;
    } catch (error) {
      session?.end();
      this.logger?.warn({ err: error, retryInMs: waitMs }, 'worker liveness lock not taken yet; trying again');
      await new Promise<void>((resolve) => (this.retry = setTimeout(resolve, waitMs)));
      return this.hold(Math.min(MAX_RETRY_MS, waitMs * 2));
    }
  }

  /** Gives the lock up: the session ends, and with it the lock. */
  release(): void {
    this.released = true;
    clearTimeout(this.retry);
    this.session?.end();
    this.session = undefined;
  }

  /** The lock's connection died: the lock went with it; take it again. */
  private lost(session: SessionConnection): void {
    if (this.session !== session) return;
    this.session = undefined;
    session.end();
    if (this.released) return;
    this.logger?.warn({ leaseOwner: this.leaseOwner }, 'worker liveness lock lost with its connection; taking it again');
    void this.hold();
  }
}
