import {
  CredentialAuthority,
  DEFAULT_ORG,
  DEMO_WORKFLOWS,
  SecretSeal,
  readOrCreateSealKey,
  startTracing,
  Engine,
  FlowlineMetrics,
  HandlerRegistry,
  MetricsAccess,
  Reconciler,
  SealedSecrets,
  SchedulerLoop,
  RunRetention,
  assertDatabaseNotAhead,
  assertRedisReachable,
  connectRedis,
  migrateDatabase,
  openDatabase,
  waitForDatabase,
  startEmbeddedPostgres,
  type Config,
  type Database,
} from '@flowline/engine';
import { buildServer, startMetricsServer } from '@flowline/api';
import { NodeWorker } from '@flowline/worker';
import type { Redis } from 'ioredis';
import pino, { type Logger } from 'pino';

/** The roles a flowline process can play; `start` plays all of them. */
export const Role = { API: 'api', WORKER: 'worker', SCHEDULER: 'scheduler' } as const;
export type Role = (typeof Role)[keyof typeof Role];

export interface RunningProcess {
  readonly logger: Logger;
  readonly engine: Engine;
  /** the API's address, when the process serves it */
  readonly url?: string;
  stop(): Promise<void>;
}

/** Opens Postgres: DATABASE_URL, or the embedded server under the data dir. */
async function openPostgres(config: Config, logger: Logger): Promise<{ db: Database; close: () => Promise<void> }> {
  if (config.databaseUrl) {
    const db = openDatabase(config.databaseUrl, { max: config.pgPoolMax });
    return { db, close: () => db.close() };
  }
  logger.info({ dataDir: config.dataDir }, 'DATABASE_URL unset: starting embedded Postgres');
  const embedded = await startEmbeddedPostgres(config.dataDir, (line) => logger.warn(line));
  const db = openDatabase(embedded.url, { max: config.pgPoolMax });
  return {
    db,
    close: async () => {
      await db.close();
      await embedded.stop();
    },
  };
}

/**
 * Starts the given roles in this process against one Postgres and one Redis.
 * With `migrate`, pending migrations are applied first (the all-in-one command).
 */
export async function startProcess(config: Config, roles: readonly Role[], options: { migrate: boolean }): Promise<RunningProcess> {
  const logger = pino({ level: config.logLevel, base: { pid: process.pid } });
  await assertRedisReachable(config.redisUrl);
  const tracing = config.otlpEndpoint ? await startTracing({ serviceName: config.serviceName, endpoint: config.otlpEndpoint }) : undefined;
  const postgres = await openPostgres(config, logger);
  await waitForDatabase(postgres.db, (reason, retryInMs) => logger.warn({ reason, retryInMs }, 'Postgres not reachable yet; waiting'));
  // Roles that do not migrate still refuse a database a newer flowline migrated.
  await (options.migrate ? migrateDatabase(postgres.db) : assertDatabaseNotAhead(postgres.db));

  const redisConnections: Redis[] = [];
  const redis = () => {
    const connection = connectRedis(config.redisUrl);
    connection.on('error', (error) => logger.warn({ err: error }, 'redis connection error'));
    redisConnections.push(connection);
    return connection;
  };
  const metrics = new FlowlineMetrics({
    processMetrics: true,
    cacheMs: config.metrics.cacheMs,
    maxWorkflows: config.metrics.maxWorkflows,
    maxSeriesPerWorkflow: config.metrics.maxSeriesPerWorkflow,
  });
  const seal = new SecretSeal(config.sealKey ?? readOrCreateSealKey(config.dataDir));
  const registry = new HandlerRegistry({
    http: { egress: config.http.egress, maxResponseBytes: config.http.maxResponseBytes, secrets: new SealedSecrets(postgres.db, seal) },
  });
  const engine = new Engine({ db: postgres.db, redis: redis(), queuePrefix: config.queuePrefix, logger, metrics, registry, timeZone: config.timeZone });
  const authority = new CredentialAuthority(postgres.db, seal);
  if (config.adminToken) await authority.ensureAdminToken(config.adminToken, DEFAULT_ORG);
  for (const workflow of DEMO_WORKFLOWS) await engine.registerWorkflow(workflow);

  const stops: (() => Promise<void>)[] = [];
  let url: string | undefined;
  if (roles.includes(Role.WORKER)) {
    const worker = new NodeWorker(engine, {
      concurrency: config.workerConcurrency,
      localQueueSize: config.workerLocalQueue,
      connection: redis(),
      subscriber: redis(),
      leaseMs: config.leaseMs,
      drainMs: config.drainMs,
      reconcileMs: config.reconcileMs,
    });
    await worker.start();
    stops.push(() => worker.close());
    // Every worker reconciles too: passes are safe on any number of replicas, and a fleet without one would never recover.
    const reconciler = new Reconciler(engine, {
      intervalMs: config.reconcileMs,
      leaseMs: config.leaseMs,
      maxLostAttempts: config.maxLostAttempts,
      deathCheckMs: config.deathCheckMs,
      retention: new RunRetention(postgres.db, config.retention),
    });
    reconciler.start();
    stops.push(() => reconciler.stop());
  }
  if (roles.includes(Role.SCHEDULER)) {
    // Any number of scheduler replicas may run: the firing ledger, not a leader, makes each firing happen once.
    const scheduler = new SchedulerLoop(engine);
    scheduler.start();
    stops.push(() => scheduler.stop());
  }
  if (roles.includes(Role.API)) {
    const server = await buildServer({ engine, authority, logger, timeZone: config.timeZone, metricsAccess: config.metrics.access });
    url = await server.listen({ port: config.port, host: config.host });
    stops.push(() => server.close());
  }
  const metricsOnPort = config.metrics.access === MetricsAccess.PORT;
  if (!roles.includes(Role.API) || metricsOnPort) {
    // One registry per process: without the API (or with metrics kept off it), a small server exposes it to Prometheus.
    const metricsServer = await startMetricsServer(
      metrics,
      metricsOnPort ? { port: config.metricsPort, host: config.metrics.host } : { port: config.metricsPort, host: config.host, authority },
    );
    stops.push(() => metricsServer.close());
  }
  logger.info({ roles, url }, 'flowline started');

  return {
    logger,
    engine,
    ...(url === undefined ? {} : { url }),
    stop: async () => {
      // API first (no new starts), then the worker drains, then the connections.
      for (const stop of stops.reverse()) await stop();
      await engine.close();
      for (const connection of redisConnections) connection.disconnect();
      await postgres.close();
      await tracing?.shutdown();
    },
  };
}

/** Stops gracefully on SIGTERM/SIGINT; a second signal exits at once. */
export function stopOnSignals(running: RunningProcess): void {
  let stopping = false;
  const onSignal = (signal: NodeJS.Signals) => {
    if (stopping) process.exit(130);
    stopping = true;
    running.logger.info({ signal }, 'stopping: draining running nodes');
    running.stop().then(
      () => process.exit(0),
      (error: unknown) => {
        running.logger.error({ err: error }, 'unclean stop');
        process.exit(1);
      },
    );
  };
  process.on('SIGTERM', onSignal);
  process.on('SIGINT', onSignal);
}
