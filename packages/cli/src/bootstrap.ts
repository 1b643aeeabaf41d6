import {
  CredentialAuthority,
  DEFAULT_ORG,
  DEMO_WORKFLOWS,
  MetricsAccess,
  OperationsLoop,
  OperationsLoops,
  SchedulerLoop,
  type Config,
  type Engine,
  type WorkflowDefinition,
} from '@flowline/engine';
import { startMetricsServer } from '@flowline/api/metrics';
import { ProcessCore } from '@flowline/sdk/process';
import type { Logger } from 'pino';
import { Role } from './role.ts';

export interface RunningProcess {
  readonly logger: Logger;
  readonly engine: Engine;
  /** the API's address, when the process serves it */
  readonly url?: string;
  stop(): Promise<void>;
}

/** How a process starts: migrating first or not, and the user's workflows it serves besides the demos. */
export interface StartOptions {
  readonly migrate: boolean;
  /** code workflows (`--workflows` modules' exports) registered besides the demo workflows */
  readonly workflows?: readonly WorkflowDefinition[];
}

/**
 * Starts the given roles in this process against one Postgres and one Redis.
 * With `migrate`, pending migrations are applied first (the all-in-one command).
 */
export async function startProcess(config: Config, roles: readonly Role[], options: StartOptions): Promise<RunningProcess> {
  const core = await ProcessCore.open(config, { migrate: options.migrate, workflows: [...DEMO_WORKFLOWS, ...(options.workflows ?? [])] });
  const { engine, logger } = core;
  const authority = new CredentialAuthority(core.db, core.seal);
  if (config.adminToken) await authority.ensureAdminToken(config.adminToken, DEFAULT_ORG);

  let url: string | undefined;
  if (roles.includes(Role.WORKER)) await core.startWorker();
  if (roles.includes(Role.SCHEDULER)) {
    // Any number of scheduler replicas may run: the firing ledger, not a leader, makes each firing happen once.
    const scheduler = new SchedulerLoop(engine);
    scheduler.start();
    core.onStop(() => scheduler.stop());
  }
  // Bulk operations and webhook deliveries go with the workers, backfills and SLA checks with the schedulers: each loop is safe on any number of them.
  const loops = [
    ...(roles.includes(Role.WORKER) ? [OperationsLoop.BULK, OperationsLoop.DELIVERY, OperationsLoop.ADMISSION] : []),
    ...(roles.includes(Role.SCHEDULER) ? [OperationsLoop.BACKFILL, OperationsLoop.SLA] : []),
  ];
  if (loops.length > 0) {
    const operations = new OperationsLoops(engine, { loops, pollMs: config.operations.pollMs, delivery: { egress: config.http.egress, ...config.notifications } });
    operations.start();
    core.onStop(() => operations.stop());
  }
  if (roles.includes(Role.API)) {
    // Loaded only by a process serving the API: its routes, dialects, schemas and OpenAPI document are megabytes of heap a worker never uses.
    const { buildServer } = await import('@flowline/api');
    const server = await buildServer({ engine, authority, logger, timeZone: config.timeZone, metricsAccess: config.metrics.access });
    url = await server.listen({ port: config.port, host: config.host });
    core.onStop(() => server.close());
  }
  const metricsOnPort = config.metrics.access === MetricsAccess.PORT;
  if (!roles.includes(Role.API) || metricsOnPort) {
    // One registry per process: without the API (or with metrics kept off it), a small server exposes it to Prometheus.
    const metricsServer = await startMetricsServer(
      core.metrics,
      metricsOnPort ? { port: config.metricsPort, host: config.metrics.host } : { port: config.metricsPort, host: config.host, authority },
    );
    core.onStop(() => metricsServer.close());
  }
  logger.info({ roles, url }, 'flowline started');

  // API first (no new starts), then the worker drains, then the connections.
  return { logger, engine, ...(url === undefined ? {} : { url }), stop: () => core.stop() };
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
