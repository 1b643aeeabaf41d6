import { randomBytes } from 'node:crypto';
import { Engine, QueueName, SecretSeal, attemptsOf, bullPrefix, connectRedis, isTerminal, type NodeJobData, type RunWithNodes, type WorkflowSpecInput } from '@flowline/engine';
import { Queue } from 'bullmq';
import {
  TEST_REDIS_URL,
  deleteInstallationKeys,
  freshDatabase,
  freshQueuePrefix,
  spawnFlowline,
  type FlowlineProcess,
  type TestDatabase,
} from '@flowline/engine/testing';

/** Settings of the worker processes; each left out is flowline's default, as a user deploys it. */
export interface ChaosTiming {
  /** FLOWLINE_LEASE_MS of the worker processes */
  readonly leaseMs?: number;
  /** FLOWLINE_RECONCILE_MS of the worker processes */
  readonly reconcileMs?: number;
  /** FLOWLINE_DRAIN_MS of the worker processes (default: the engine's) */
  readonly drainMs?: number;
}

/**
 * A fresh database and queue prefix, real `flowline worker` processes on them,
 * and an in-process engine (no worker of its own) to start runs and read them:
 * what a chaos scenario breaks and then checks.
 */
export interface ChaosStack {
  readonly database: TestDatabase;
  readonly engine: Engine;
  readonly prefix: string;
  /** a `flowline worker` process on the stack, with `env` added to its settings */
  startWorker(env?: Readonly<Record<string, string>>): Promise<FlowlineProcess>;
  define(spec: WorkflowSpecInput): Promise<void>;
  startRuns(workflow: string, count: number): Promise<string[]>;
  waitFor(runId: string, until: (run: RunWithNodes) => boolean, timeoutMs: number): Promise<RunWithNodes>;
  /** the runs once all have ended, or as they are at the deadline */
  waitForRuns(runIds: readonly string[], timeoutMs: number): Promise<RunWithNodes[]>;
  /** deletes every Redis key under the stack's prefix: FLUSHALL, for this installation only */
  flushQueue(): Promise<number>;
  /** BullMQ's pause of the node queue: no worker takes a job until `resumeQueue` */
  pauseQueue(): Promise<void>;
  resumeQueue(): Promise<void>;
  /** how many node attempts workers hold taken: those of BullMQ's active jobs (a job may carry a batch) */
  activeAttempts(): Promise<number>;
  close(): Promise<void>;
}


/** A chaos stack on a fresh database of the shared server, or on the database given (a server of the scenario's own). */
export async function startChaosStack(timing: ChaosTiming = {}, ownDatabase?: TestDatabase): Promise<ChaosStack> {
  const database = ownDatabase ?? (await freshDatabase());
  const prefix = freshQueuePrefix();
  const redis = connectRedis(TEST_REDIS_URL);
  // A seal of its own: definitions declaring webhooks (the fuzzer's do) have their secrets sealed.
  const engine = new Engine({ db: database.db, redis, queuePrefix: prefix, seal: new SecretSeal(randomBytes(32).toString('hex')) });
  const queue = new Queue(QueueName.NODES, { connection: redis, prefix: bullPrefix(prefix) });
  const workers: FlowlineProcess[] = [];

  const flushQueue = () => deleteInstallationKeys(redis, prefix);

  return {
    database,
    engine,
    prefix,
    startWorker: async (env = {}) => {
      const worker = spawnFlowline('worker', {
        DATABASE_URL: database.url,
        REDIS_URL: TEST_REDIS_URL,
        FLOWLINE_QUEUE_PREFIX: prefix,
        ...(timing.leaseMs === undefined ? {} : { FLOWLINE_LEASE_MS: String(timing.leaseMs) }),
        ...(timing.reconcileMs === undefined ? {} : { FLOWLINE_RECONCILE_MS: String(timing.reconcileMs) }),
        ...(timing.drainMs === undefined ? {} : { FLOWLINE_DRAIN_MS: String(timing.drainMs) }),
        ...env,
      });
      workers.push(worker);
      await worker.ready;
      return worker;
    },
    define: async (spec) => {
      await engine.applyDefinition(spec);
    },
    startRuns: async (workflow, count) => {
      const started = await Promise.all(Array.from({ length: count }, () => engine.startRun({ workflow })));
      return started.map((s) => s.run.id);
    },
    waitFor: async (runId, until, timeoutMs) => (await pollRuns(engine, [runId], (runs) => until(runs[0]!), timeoutMs))[0]!,
    waitForRuns: (runIds, timeoutMs) => pollRuns(engine, runIds, (runs) => runs.every((r) => isTerminal(r.status)), timeoutMs),
    flushQueue,
    pauseQueue: () => queue.pause(),
    resumeQueue: () => queue.resume(),
    activeAttempts: async () => (await queue.getActive()).reduce((sum, job) => sum + attemptsOf(job.data as NodeJobData).length, 0),
    close: async () => {
      await Promise.all(workers.map((w) => w.kill('SIGKILL')));
      await queue.close();
      await engine.close();
      await flushQueue();
      redis.disconnect();
      await database.drop();
    },
  };
}

/** Reads the runs until `done` holds, or returns them as they are at the deadline. */
async function pollRuns(
  engine: Engine,
  runIds: readonly string[],
  done: (runs: RunWithNodes[]) => boolean,
  timeoutMs: number,
): Promise<RunWithNodes[]> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    // Reads fail while Postgres restarts; a scenario is judged on the state after, not on these.
    const runs = await Promise.all(runIds.map((id) => engine.getRun(id))).catch(() => undefined);
    if (runs && (done(runs) || Date.now() > deadline)) return runs;
    if (!runs && Date.now() > deadline) throw new Error('runs unreadable at the deadline');
    await new Promise((r) => setTimeout(r, 100));
  }
}
