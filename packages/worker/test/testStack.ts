import {
  Engine,
  HandlerRegistry,
  connectRedis,
  type Database,
  type RedisAddress,
  type RedisConnection,
  type RunWithNodes,
  type StatusName,
  type WorkflowSpecInput,
} from '@flowline/engine';
import { TEST_REDIS_URL, deleteInstallationKeys, freshDatabase, freshQueuePrefix, type TestDatabase } from '@flowline/engine/testing';
import { afterAll, afterEach, beforeAll } from 'vitest';
import { NodeWorker } from '../src/nodeWorker.ts';

/**
 * An engine and N workers on a test database, with a queue prefix of their own.
 * `close()` stops everything and deletes every Redis key under the prefix.
 */
export interface TestStack {
  readonly engine: Engine;
  readonly workers: NodeWorker[];
  readonly prefix: string;
  /** the engine's database, Redis connection and handler registry */
  readonly db: Database;
  readonly redis: RedisConnection;
  readonly registry: HandlerRegistry;
  addWorker(concurrency?: number): Promise<NodeWorker>;
  define(spec: WorkflowSpecInput): Promise<void>;
  waitFor(runId: string, until: (run: RunWithNodes) => boolean, timeoutMs?: number): Promise<RunWithNodes>;
  waitForEnd(runId: string, timeoutMs?: number): Promise<RunWithNodes>;
  close(): Promise<void>;
}

const TERMINAL: StatusName[] = ['SUCCESS', 'FAIL', 'INTERNAL_ERROR', 'TIMEOUT', 'CANCEL', 'SKIP'];

export interface TestStackOptions {
  readonly workers?: number;
  readonly concurrency?: number;
  readonly leaseMs?: number;
  readonly localQueueSize?: number;
  readonly reconcileMs?: number;
  /** where Redis is (default: TEST_REDIS_URL); a cluster's nodes put every connection on the cluster */
  readonly redis?: RedisAddress;
}

export async function startTestStack(database: TestDatabase, options: TestStackOptions = {}): Promise<TestStack> {
  const prefix = freshQueuePrefix();
  const connections: RedisConnection[] = [];
  const redis = () => {
    const c = connectRedis(options.redis ?? TEST_REDIS_URL);
    connections.push(c);
    return c;
  };
  const registry = new HandlerRegistry();
  const engineRedis = redis();
  const engine = new Engine({ db: database.db, redis: engineRedis, queuePrefix: prefix, registry });
  const workers: NodeWorker[] = [];
  const addWorker = async (concurrency = options.concurrency ?? 10) => {
    const worker = new NodeWorker(engine, { concurrency, connection: redis(), subscriber: redis(), drainMs: 2000, leaseMs: options.leaseMs, localQueueSize: options.localQueueSize, reconcileMs: options.reconcileMs });
    await worker.start();
    workers.push(worker);
    return worker;
  };
  for (let i = 0; i < (options.workers ?? 1); i++) await addWorker();

  const waitFor = async (runId: string, until: (run: RunWithNodes) => boolean, timeoutMs = 15_000) => {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const run = await engine.getRun(runId);
      if (until(run)) return run;
      if (Date.now() > deadline) throw new Error(`run ${runId} did not reach the state in time: ${JSON.stringify(summary(run))}`);
      await new Promise((r) => setTimeout(r, 20));
    }
  };

  return {
    engine,
    workers,
    prefix,
    db: database.db,
    redis: engineRedis,
    registry,
    addWorker,
    define: async (spec) => {
      await engine.applyDefinition(spec);
    },
    waitFor,
    waitForEnd: (runId, timeoutMs) => waitFor(runId, (run) => TERMINAL.includes(run.statusName), timeoutMs),
    close: async () => {
      for (const worker of workers) await worker.close();
      await engine.close();
      await deleteInstallationKeys(connections[0]!, prefix);
      for (const c of connections) c.disconnect();
    },
  };
}

/** Node statuses by name, for readable assertions. */
export function summary(run: RunWithNodes): Record<string, string> {
  return { run: run.statusName, ...Object.fromEntries(run.nodes.map((n) => [n.name, n.statusName])) };
}

/** A node of a run by name. */
export function nodeNamed(run: RunWithNodes, name: string): RunWithNodes['nodes'][number] {
  return run.nodes.find((n) => n.name === name)!;
}

export interface StackFixture {
  /** the test file's database */
  database(): TestDatabase;
  /** a stack for the running test, closed after it */
  start(options?: TestStackOptions): Promise<TestStack>;
}

/** Registers a test file's hooks: one fresh database for the file, each test's stack closed after the test. */
export function stackFixture(): StackFixture {
  let database: TestDatabase | undefined;
  let stack: TestStack | undefined;
  beforeAll(async () => {
    database = await freshDatabase();
  });
  afterAll(async () => {
    await database?.drop();
  });
  afterEach(async () => {
    await stack?.close();
    stack = undefined;
  });
  return {
    database: () => database!,
    start: async (options) => (stack = await startTestStack(database!, options)),
  };
}

/** The names (or texts) of the statements the engine's pools send from now on, in order. */
export function recordStatements(stack: TestStack): string[] {
  const statements: string[] = [];
  const { db } = stack;
  for (const pool of [db.pool]) {
    const query = pool.query.bind(pool) as (...args: unknown[]) => unknown;
    (pool as { query: unknown }).query = (config: unknown, ...rest: unknown[]) => {
      statements.push(typeof config === 'string' ? config : ((config as { name?: string; text: string }).name ?? (config as { text: string }).text));
      return query(config, ...rest);
    };
  }
  return statements;
}
