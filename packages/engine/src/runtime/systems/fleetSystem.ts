import { hostname } from 'node:os';
import { deregisterWorker } from '../../storage/deregisterWorker.ts';
import { heartbeatWorker } from '../../storage/heartbeatWorker.ts';
import { listHandlerTypes, type HandlerTypeRecord } from '../../storage/listHandlerTypes.ts';
import { listServedHandlerTypes } from '../../storage/listServedHandlerTypes.ts';
import { registerWorker } from '../../storage/registerWorker.ts';
import type { EngineResources } from '../engineResources.ts';

/** How long an answer of servedHandlerTypes is reused. */
const SERVED_ANSWER_MS = 1_000;
/** Past this many kept answers (types asked about within a second), they are all dropped. */
const MAX_SERVED_ANSWERS = 10_000;

/** A worker's registration in Postgres, heartbeated until it is stopped. */
export interface RegisteredWorker {
  /** Stops the heartbeat and deletes the worker's row: its handler types no longer list it. */
  stop(): Promise<void>;
}

/**
 * The fleet as Postgres knows it: which workers are alive and which handler
 * types each serves. A worker registers the types its process runs (the
 * built-ins and its engine's code handlers, with their descriptions and input
 * schemas) when it starts, heartbeats every third of its lease, and
 * deregisters when it stops; one that dies just stops heartbeating, and a
 * lease later it is no longer listed as serving anything.
 */
export class FleetSystem {
  /** The read in flight, if any (see listHandlerTypes). */
  private reading: Promise<readonly HandlerTypeRecord[]> | undefined;
  /** Recent answers of servedHandlerTypes, by handler type, each until its time (ms). */
  private readonly served = new Map<string, { readonly served: boolean; readonly until: number }>();

  constructor(private readonly resources: EngineResources) {}

  async registerWorker(worker: { readonly id: string; readonly leaseMs: number }): Promise<RegisteredWorker> {
    const { db, registry, now, logger } = this.resources;
    const register = () =>
      registerWorker(db.pool, { id: worker.id, host: hostname(), pid: process.pid, leaseMs: worker.leaseMs, now: now(), handlerTypes: registry.served() });
    await register();
    let beat = Promise.resolve();
    const timer = setInterval(() => {
      beat = heartbeatWorker(db.pool, worker.id, now())
        .then((alive) => (alive ? undefined : register()))
        .catch((error: unknown) => logger?.warn({ err: error }, 'worker heartbeat not written; retried next beat'));
    }, worker.leaseMs / 3);
    timer.unref();
    return {
      stop: async () => {
        clearInterval(timer);
        await beat;
        await deregisterWorker(db.pool, worker.id);
      },
    };
  }

  /**
   * Every registered handler type, with the live workers serving it (the
   * handlers page). Callers asking while a read is in flight share it; what a
   * shared read answers is at most one read's duration older than a read of
   * one's own. A run's view asks only about its READY nodes' types
   * (servedHandlerTypes): this list holds every type a deployment registered.
   */
  listHandlerTypes(): Promise<readonly HandlerTypeRecord[]> {
    this.reading ??= listHandlerTypes(this.resources.db.pool, this.resources.now()).finally(() => {
      this.reading = undefined;
    });
    return this.reading;
  }

  /**
   * Which of these handler types some live worker serves: what a run's READY
   * nodes wait for, without reading the whole fleet. Each type's answer is
   * kept for SERVED_ANSWER_MS: a start through the API asks about its roots'
   * types, and at hundreds of starts a second one read per start was a
   * fifth of the API's work. No staler than what it reads: a worker is live
   * while it heartbeated within a lease, a beat every third of one.
   */
  async servedHandlerTypes(names: readonly string[]): Promise<ReadonlySet<string>> {
    const now = this.resources.now().getTime();
    const unknown = names.filter((name) => (this.served.get(name)?.until ?? 0) <= now);
    if (unknown.length > 0) {
      const served = await listServedHandlerTypes(this.resources.db.pool, unknown, this.resources.now());
      if (this.served.size > MAX_SERVED_ANSWERS) this.served.clear();
      for (const name of unknown) this.served.set(name, { served: served.has(name), until: now + SERVED_ANSWER_MS });
    }
    return new Set(names.filter((name) => this.served.get(name)?.served));
  }
}
