import {
  BackupCluster,
  CredentialAuthority,
  DEFAULT_ORG,
  Engine,
  HandlerRegistry,
  type EngineOptions,
  SecretSeal,
  SealedSecrets,
  type FlowlineMetrics,
  type HttpNodeOptions,
  connectRedis,
  type CredentialKind,
  isTerminal,
  toRunUuid,
  type Role,
  type RunWithNodes,
} from '@flowline/engine';
import { TEST_REDIS_URL, freshDatabase, freshQueuePrefix, type TestDatabase } from '@flowline/engine/testing';
import { NodeWorker } from '@flowline/worker';
import type { FastifyInstance, InjectOptions, LightMyRequestResponse } from 'fastify';
import type { Redis } from 'ioredis';
import { buildServer } from '../src/server.ts';

/**
 * A real API server (fastify inject) over a fresh database, with an optional
 * worker, and helpers to issue credentials and call as a given token.
 */
export interface ApiFixture {
  readonly app: FastifyInstance;
  readonly engine: Engine;
  /** what the engine was made with: a test's own engine (another clock, say) shares its database, Redis and queue */
  readonly engineOptions: EngineOptions;
  readonly authority: CredentialAuthority;
  readonly adminToken: string;
  token(role: Role, options?: { orgId?: string; kind?: CredentialKind; expiresAt?: Date }): Promise<string>;
  call(token: string | undefined, options: InjectOptions): Promise<LightMyRequestResponse>;
  /** polls a run until it has ended (the worker must be running) */
  waitForEnd(id: string, timeoutMs?: number): Promise<RunWithNodes>;
  close(): Promise<void>;
}

export const ADMIN_TOKEN = 'test-admin-token-0123456789';
/** The seal key of the fixture's secrets: a flowline process spawned against its database opens them with it. */
export const SEAL_KEY = 'test-seal-key-test-seal-key-test-seal-key';

export interface ApiFixtureOptions {
  readonly worker?: boolean;
  readonly timeZone?: string;
  /** the engine's metrics (default: a registry of its own, rendered on every scrape) */
  readonly metrics?: FlowlineMetrics;
  /** the http node's egress policy and response cap (default: the public internet only); its secrets are the fixture's */
  readonly http?: Omit<HttpNodeOptions, 'secrets'>;
}

export async function startApiFixture(options: ApiFixtureOptions = {}): Promise<ApiFixture> {
  const database: TestDatabase = await freshDatabase();
  const connections: Redis[] = [];
  const redis = () => {
    const c = connectRedis(TEST_REDIS_URL);
    connections.push(c);
    return c;
  };
  const seal = new SecretSeal(SEAL_KEY);
  const engineOptions: EngineOptions = {
    db: database.db,
    redis: redis(),
    queuePrefix: freshQueuePrefix(),
    registry: new HandlerRegistry({ http: { ...options.http, secrets: new SealedSecrets(database.db, seal) } }),
    seal,
    ...(options.metrics ? { metrics: options.metrics } : {}),
  };
  const engine = new Engine(engineOptions);
  await engine.registerWorkflow(BackupCluster);
  const authority = new CredentialAuthority(database.db, seal);
  await authority.ensureAdminToken(ADMIN_TOKEN, DEFAULT_ORG);
  const app = await buildServer({ engine, authority, ...(options.timeZone ? { timeZone: options.timeZone } : {}) });
  const worker = options.worker ? new NodeWorker(engine, { concurrency: 10, connection: redis(), subscriber: redis(), drainMs: 1000 }) : undefined;
  await worker?.start();

  return {
    app,
    engine,
    engineOptions,
    authority,
    adminToken: ADMIN_TOKEN,
    token: async (role, o = {}) =>
      (
        await authority.issue({
          kind: o.kind ?? 'bearer',
          role,
          orgId: o.orgId ?? DEFAULT_ORG,
          ...(o.expiresAt === undefined ? {} : { expiresAt: o.expiresAt }),
        })
      ).secret,
    call: (token, inject) =>
      app.inject({ ...inject, headers: { ...(inject.headers ?? {}), ...(token === undefined ? {} : { authorization: `Bearer ${token}` }) } }),
    waitForEnd: async (id, timeoutMs = 15_000) => {
      const deadline = Date.now() + timeoutMs;
      for (;;) {
        const run = await engine.getRun(id, (await database.db.pool.query('SELECT org_id FROM workflow_runs WHERE id = $1', [toRunUuid(id)])).rows[0].org_id);
        if (isTerminal(run.status)) return run;
        if (Date.now() > deadline) throw new Error(`run ${id} still ${run.statusName} after ${timeoutMs} ms`);
        await new Promise((resolve) => setTimeout(resolve, 25));
      }
    },
    close: async () => {
      await worker?.close();
      await app.close();
      const keys = await connections[0]!.keys(`{${engineOptions.queuePrefix}}*`);
      if (keys.length) await connections[0]!.del(...keys);
      await engine.close();
      for (const c of connections) c.disconnect();
      await database.drop();
    },
  };
}
