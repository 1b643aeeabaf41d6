import {
  Engine,
  FlowlineMetrics,
  HandlerRegistry,
  Reconciler,
  RunPartitions,
  RunRetention,
  SealedSecrets,
  SecretSeal,
  assertDatabaseNotAhead,
  assertRedisReachable,
  connectRedis,
  migrateDatabase,
  openDatabase,
  readOrCreateSealKey,
  redisAddressOf,
  startEmbeddedPostgres,
  startTracing,
  waitForDatabase,
  type Config,
  type Database,
  type RedisConnection,
  type WorkflowDefinition,
} from '@flowline/engine';
import { NodeWorker } from '@flowline/worker';
import pino, { type Logger } from 'pino';

/** How a process opens: whether it applies pending migrations, and the code workflows it registers. */
export interface ProcessCoreOptions {
  /** apply pending migrations first (the all-in-one `flowline start`); otherwise refuse a database a newer flowline migrated */
  readonly migrate: boolean;
  /** registered with the engine (handlers here, definitions in Postgres) before any role starts */
  readonly workflows: readonly WorkflowDefinition[];
  readonly logger?: Logger;
}

/** Opens Postgres: DATABASE_URL, or the embedded server under the data dir. */
async function openPostgres(config: Config, logger: Logger): Promise<{ db: Database; close: () => Promise<void> }> {
  if (config.databaseUrl) {
    const db = openDatabase(config.databaseUrl, { max: config.pgPoolMax, directUrl: config.directDatabaseUrl, read: config.readDatabase });
    return { db, close: () => db.close() };
  }
  logger.info({ dataDir: config.dataDir }, 'DATABASE_URL unset: starting embedded Postgres');
  const embedded = await startEmbeddedPostgres(config.dataDir, (line) => logger.warn(line));
  // Logged so that a worker of the user's own can be pointed at it (DATABASE_URL); its port is kept across restarts.
  logger.info({ databaseUrl: embedded.url }, 'embedded Postgres ready');
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
 * What every flowline process is made of, whatever roles it plays (`flowline
 * start`, `flowline worker`, a worker in a user's own process): one Postgres,
 * Redis connections, the seal of stored secrets, one engine with the process's
 * workflows registered, and the stops to run, in reverse order, on the way out.
 */
export class ProcessCore {
  private readonly stops: (() => Promise<void>)[] = [];
  private readonly connections: RedisConnection[] = [];

  private constructor(
    readonly config: Config,
    readonly logger: Logger,
    readonly db: Database,
    readonly metrics: FlowlineMetrics,
    /** seals stored secrets (FLOWLINE_SEAL_KEY, or the data dir's key): the http node's secret headers, COS and Qiniu keys */
    readonly seal: SecretSeal,
    private readonly closePostgres: () => Promise<void>,
    private readonly stopTracing: (() => Promise<void>) | undefined,
    engineRedis: RedisConnection,
    readonly engine: Engine,
  ) {
    this.connections.push(engineRedis);
  }

  /** Checks Redis, opens Postgres (migrating it, or refusing one a newer flowline migrated), makes the engine and registers the workflows. */
  static async open(config: Config, options: ProcessCoreOptions): Promise<ProcessCore> {
    const logger = options.logger ?? pino({ level: config.logLevel, base: { pid: process.pid } });
    await assertRedisReachable(redisAddressOf(config));
    const tracing = config.otlpEndpoint ? await startTracing({ serviceName: config.serviceName, endpoint: config.otlpEndpoint }) : undefined;
    const postgres = await openPostgres(config, logger);
    await waitForDatabase(postgres.db, (reason, retryInMs) => logger.warn({ reason, retryInMs }, 'Postgres not reachable yet; waiting'));
    // Roles that do not migrate still refuse a database a newer flowline migrated.
    await (options.migrate ? migrateDatabase(postgres.db) : assertDatabaseNotAhead(postgres.db));
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
    const redis = ProcessCore.connect(config, logger);
    const engine = new Engine({ db: postgres.db, redis, queuePrefix: config.queuePrefix, logger, metrics, registry, timeZone: config.timeZone, seal });
    const core = new ProcessCore(config, logger, postgres.db, metrics, seal, postgres.close, tracing && (() => tracing.shutdown()), redis, engine);
    for (const workflow of options.workflows) await engine.registerWorkflow(workflow);
    return core;
  }

  private static connect(config: Config, logger: Logger): RedisConnection {
    const connection = connectRedis(redisAddressOf(config));
    connection.on('error', (error) => logger.warn({ err: error }, 'redis connection error'));
    return connection;
  }

  /** A new Redis connection, closed with the process (BullMQ's blocking reads and the abort subscription each need their own). */
  redis(): RedisConnection {
    const connection = ProcessCore.connect(this.config, this.logger);
    this.connections.push(connection);
    return connection;
  }

  /** Runs `stop` when the process stops, before anything started earlier. */
  onStop(stop: () => Promise<void>): void {
    this.stops.push(stop);
  }

  /** Starts the worker role: a NodeWorker serving the engine's handlers, and a reconciler beside it. */
  async startWorker(concurrency = this.config.workerConcurrency): Promise<void> {
    const { config, engine } = this;
    const worker = new NodeWorker(engine, {
      concurrency,
      localQueueSize: config.workerLocalQueue,
      connection: this.redis(),
      subscriber: this.redis(),
      leaseMs: config.leaseMs,
      drainMs: config.drainMs,
      reconcileMs: config.reconcileMs,
    });
    await worker.start();
    this.onStop(() => worker.close());
    // Every worker reconciles too: passes are safe on any number of replicas, and a fleet without one would never recover.
    const reconciler = new Reconciler(engine, {
      intervalMs: config.reconcileMs,
      leaseMs: config.leaseMs,
      maxLostAttempts: config.maxLostAttempts,
      deathCheckMs: config.deathCheckMs,
      retention: new RunRetention(this.db, config.retention),
      partitions: new RunPartitions(this.db),
    });
    reconciler.start();
    this.onStop(() => reconciler.stop());
  }

  /** Stops the roles in reverse order of their start (the API before the worker drains), then the engine and the connections. */
  async stop(): Promise<void> {
    for (const stop of this.stops.splice(0).reverse()) await stop();
    await this.engine.close();
    for (const connection of this.connections) connection.disconnect();
    await this.closePostgres();
    await this.stopTracing?.();
  }
}
