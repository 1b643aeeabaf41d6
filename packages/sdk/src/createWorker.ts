import { loadConfigWith, type Config, type WorkflowDefinition } from '@flowline/engine';
import type { Logger } from 'pino';
import { ProcessCore } from './processCore.ts';

/**
 * Where a worker in your process connects and what it serves. Every setting
 * but `workflows` falls back to the environment variable `flowline worker`
 * reads (DATABASE_URL, REDIS_URL, FLOWLINE_QUEUE_PREFIX,
 * FLOWLINE_WORKER_CONCURRENCY, …), then to its default.
 */
export interface CreateWorkerOptions {
  /** the workflows whose nodes this worker runs: `defineWorkflow` results */
  readonly workflows: readonly WorkflowDefinition[];
  /** the Postgres of the flowline installation (DATABASE_URL); required, here or in the environment */
  readonly databaseUrl?: string;
  /** its Redis (REDIS_URL, default redis://127.0.0.1:6379) */
  readonly redisUrl?: string;
  /** its BullMQ key prefix (FLOWLINE_QUEUE_PREFIX, default `flowline`): the same as the installation's */
  readonly queuePrefix?: string;
  /** how many node attempts run here at once (FLOWLINE_WORKER_CONCURRENCY, default 50) */
  readonly concurrency?: number;
  /** how long `close()` waits for running handlers before releasing their nodes to other workers (FLOWLINE_DRAIN_MS, default 10 s) */
  readonly drainMs?: number;
  /** a pino logger of yours; default one at LOG_LEVEL writing JSON lines to stdout */
  readonly logger?: Logger;
}

/** A flowline worker running inside your process: `run()` starts it, `close()` stops it gracefully. */
export interface FlowlineWorker {
  /**
   * Connects, stores the workflows' definitions (a new version when one
   * changed), registers their handler types and starts taking their nodes.
   * Resolves once the worker is serving.
   */
  run(): Promise<void>;
  /**
   * Stops taking nodes and waits up to `drainMs` for running handlers; nodes
   * still running after that are released, so another worker retries them at
   * once. Then closes its connections. Call it on SIGTERM.
   */
  close(): Promise<void>;
}

/**
 * A worker for your own workflows, in your own process — BullMQ's `Worker`,
 * graphile-worker's `run`: it joins the installation's fleet like
 * `flowline worker --workflows`, and a run of its workflows, started from any
 * API, runs its handlers here.
 *
 * ```ts
 * const worker = createWorker({ databaseUrl, redisUrl, workflows: [Backup], concurrency: 10 });
 * await worker.run();
 * process.on('SIGTERM', () => void worker.close());
 * ```
 */
export function createWorker(options: CreateWorkerOptions): FlowlineWorker {
  let core: Promise<ProcessCore> | undefined;
  return {
    run: async () => {
      if (core) throw new Error('this worker was already run; create another');
      core = start(configOf(options), options);
      await core;
    },
    close: async () => {
      if (!core) return;
      await (await core).stop();
    },
  };
}

async function start(config: Config, options: CreateWorkerOptions): Promise<ProcessCore> {
  const core = await ProcessCore.open(config, { migrate: false, workflows: options.workflows, ...(options.logger ? { logger: options.logger } : {}) });
  try {
    await core.startWorker();
  } catch (error) {
    await core.stop();
    throw error;
  }
  core.logger.info({ workflows: options.workflows.map((w) => w.spec.name) }, 'flowline worker started');
  return core;
}

/** The environment's configuration, with the options given in place of their variables; a worker never starts its own embedded Postgres. */
function configOf(options: CreateWorkerOptions): Config {
  const config = loadConfigWith({
    DATABASE_URL: options.databaseUrl,
    REDIS_URL: options.redisUrl,
    FLOWLINE_QUEUE_PREFIX: options.queuePrefix,
    FLOWLINE_WORKER_CONCURRENCY: options.concurrency?.toString(),
    FLOWLINE_DRAIN_MS: options.drainMs?.toString(),
  });
  if (!config.databaseUrl) {
    throw new Error('createWorker needs the Postgres of your flowline installation: pass databaseUrl, or set DATABASE_URL');
  }
  return config;
}
