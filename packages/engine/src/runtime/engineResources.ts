import type { RedisConnection } from '../queue/redisConnection.ts';
import type { Logger } from 'pino';
import type { HandlerRegistry } from '../handlers/handlerRegistry.ts';
import type { FlowlineMetrics } from '../metrics/flowlineMetrics.ts';
import type { Notifications } from '../notifications/notifications.ts';
import type { NodeQueue } from '../queue/nodeQueue.ts';
import type { ScheduleCatalog } from '../scheduler/scheduleCatalog.ts';
import type { Database } from '../storage/database.ts';
import type { DefinitionCache } from './definitionCache.ts';
import type { DefinitionCatalog } from './definitionCatalog.ts';
import type { KnownMapRuns } from './knownMapRuns.ts';
import type { KnownRunStates } from './knownRunStates.ts';
import type { RunStartMarks } from './runStartMarks.ts';

/**
 * What every system of one engine shares (as trigger.dev's run engine hands
 * its systems one resources object): the connections, the caches and the
 * process's clock, logger and metrics. Made once by the Engine; nothing
 * outside the engine package sees it.
 */
export interface EngineResources {
  readonly db: Database;
  /** the connection for publishing aborts (subscribers bring their own) */
  readonly redis: RedisConnection;
  readonly queuePrefix: string;
  readonly nodeQueue: NodeQueue;
  readonly registry: HandlerRegistry;
  /** definition versions by id: specs and compiled DAGs */
  readonly definitions: DefinitionCache;
  readonly catalog: DefinitionCatalog;
  readonly schedules: ScheduleCatalog;
  /** webhooks and SLAs of definitions, the notification outbox and its senders */
  readonly notifications: Notifications;
  /** the runs this process decided about, as its decisions left them */
  readonly known: KnownRunStates;
  /** the runs with maps this process decided about, whole, as its committed decisions left them */
  readonly knownMaps: KnownMapRuns;
  /** runs a claim found READY, moved to RUNNING a moment later unless they end first */
  readonly runStarts: RunStartMarks;
  readonly logger: Logger | undefined;
  readonly now: () => Date;
  readonly metrics: FlowlineMetrics;
}
