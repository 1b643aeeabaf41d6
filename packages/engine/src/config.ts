import { z } from 'zod';
import { DEFAULT_MAX_RESPONSE_BYTES } from './handlers/egress/egressRequest.ts';
import { EgressPolicy, egressListProblem } from './handlers/egress/egressPolicy.ts';
import type { RetentionPolicy } from './retention/retentionPolicy.ts';

/** How /metrics is protected (FLOWLINE_METRICS_ACCESS). */
export const MetricsAccess = {
  /** on the API port (and a worker's metrics port), for a bearer token of role metrics or superadmin */
  CREDENTIAL: 'credential',
  /** not on the API port; on FLOWLINE_METRICS_PORT at FLOWLINE_METRICS_HOST (loopback by default) without a token */
  PORT: 'port',
} as const;
export type MetricsAccess = (typeof MetricsAccess)[keyof typeof MetricsAccess];

const egressList = z.string().superRefine((list, ctx) => {
  const problem = egressListProblem(list);
  if (problem !== undefined) ctx.addIssue({ code: 'custom', message: problem });
});

/**
 * All configuration, parsed once at start-up from the environment. Nothing else
 * in flowline reads process.env: processes receive a Config.
 */
const ConfigSchema = z.object({
  PORT: z.coerce.number().int().min(0).max(65535).default(8080),
  /** where a process without the API (a worker alone), or any process with FLOWLINE_METRICS_ACCESS=port, serves /metrics */
  FLOWLINE_METRICS_PORT: z.coerce.number().int().min(0).max(65535).default(9464),
  FLOWLINE_METRICS_ACCESS: z.enum([MetricsAccess.CREDENTIAL, MetricsAccess.PORT]).default(MetricsAccess.CREDENTIAL),
  /** the address the metrics port binds with FLOWLINE_METRICS_ACCESS=port: loopback unless the operator opens it */
  FLOWLINE_METRICS_HOST: z.string().min(1).default('127.0.0.1'),
  /** a scrape answers the text rendered at most this long ago: concurrent or frequent scrapes cost one render */
  FLOWLINE_METRICS_CACHE_MS: z.coerce.number().int().min(0).max(600_000).default(2_000),
  /** distinct workflow label values; further workflows are counted under workflow="_other" */
  FLOWLINE_METRICS_MAX_WORKFLOWS: z.coerce.number().int().min(1).max(100_000).default(1_000),
  /** series of one metric per workflow; further label combinations are counted under "_other" */
  FLOWLINE_METRICS_MAX_SERIES_PER_WORKFLOW: z.coerce.number().int().min(1).max(10_000).default(64),
  /** where the http node may connect beyond the public internet: addresses, CIDRs, host patterns (example.com, *.example.com) */
  FLOWLINE_HTTP_ALLOW: egressList.optional(),
  /** where it may not, on top of loopback, private, link-local and metadata ranges (`*` with an ALLOW list: only those) */
  FLOWLINE_HTTP_DENY: egressList.optional(),
  /** bytes of a response the http node reads at most; it keeps a 2 KB excerpt */
  FLOWLINE_HTTP_MAX_RESPONSE_BYTES: z.coerce.number().int().min(1024).max(1024 ** 3).default(DEFAULT_MAX_RESPONSE_BYTES),
  HOST: z.string().default('0.0.0.0'),
  /** unset → an embedded Postgres under FLOWLINE_DATA_DIR */
  DATABASE_URL: z.string().url().optional(),
  /** the process's Postgres connections at most (one pool): a fleet needs processes × this ≤ max_connections − reserve */
  FLOWLINE_PG_POOL_MAX: z.coerce.number().int().min(2).max(1000).default(20),
  /**
   * the Postgres server itself when DATABASE_URL is a pooler in transaction mode (PgBouncer): migrations and
   * each worker's liveness lock (a session advisory lock) connect here; unset: DATABASE_URL is the server
   */
  FLOWLINE_DIRECT_DATABASE_URL: z.string().url().optional(),
  /** a streaming replica of the database: history lists, pages and counts of every surface read there */
  FLOWLINE_READ_DATABASE_URL: z.string().url().optional(),
  /** how far the replica may be behind before history reads go to the primary until it catches up */
  FLOWLINE_READ_MAX_LAG_MS: z.coerce.number().int().min(0).max(3_600_000).default(5_000),
  REDIS_URL: z.string().url().default('redis://127.0.0.1:6379'),
  /** a Redis Cluster's seed nodes (`host:port,host:port,…`): every Redis use goes there instead of REDIS_URL */
  REDIS_CLUSTER_NODES: z
    .string()
    .regex(/^[^\s,:]+:\d{1,5}(,[^\s,:]+:\d{1,5})*$/, 'write host:port pairs separated by commas')
    .optional(),
  FLOWLINE_QUEUE_PREFIX: z.string().regex(/^[A-Za-z0-9_-]{1,64}$/).default('flowline'),
  /** IANA zone the dialects render times in; default: the host's zone */
  FLOWLINE_TZ: z
    .string()
    .refine(isTimeZone, 'not an IANA time zone name')
    .default(Intl.DateTimeFormat().resolvedOptions().timeZone),
  FLOWLINE_ADMIN_TOKEN: z.string().min(16, 'use at least 16 characters').optional(),
  /** key sealing stored COS/Qiniu secret keys; unset → generated under FLOWLINE_DATA_DIR */
  FLOWLINE_SEAL_KEY: z.string().min(32, 'use at least 32 characters').optional(),
  FLOWLINE_DATA_DIR: z.string().default('./.flowline'),
  FLOWLINE_WORKER_CONCURRENCY: z.coerce.number().int().min(1).max(10_000).default(50),
  /** attempts a worker's own process made READY that may wait in it for a slot instead of going through Redis; 0: only free slots */
  FLOWLINE_WORKER_LOCAL_QUEUE: z.coerce.number().int().min(0).max(1_000_000).default(10_000),
  /** how long a claimed node stays a worker's without a heartbeat; heartbeats come every third of it */
  FLOWLINE_LEASE_MS: z.coerce.number().int().min(300).max(3_600_000).default(30_000),
  /** on SIGTERM, how long a worker waits for running handlers before releasing their nodes to others */
  FLOWLINE_DRAIN_MS: z.coerce.number().int().min(0).max(3_600_000).default(10_000),
  /** how many attempts of a node may be lost to the platform (a worker killed, a lease lost) and re-run, apart from its retries */
  FLOWLINE_MAX_LOST_ATTEMPTS: z.coerce.number().int().min(0).max(100).default(3),
  /** how often each worker process looks at the workers' liveness locks, to re-run a dead worker's attempts at once */
  FLOWLINE_DEATH_CHECK_MS: z.coerce.number().int().min(50).max(60_000).default(500),
  /** how often the reconciler looks for abandoned nodes, lost jobs and unsettled runs */
  FLOWLINE_RECONCILE_MS: z.coerce.number().int().min(50).max(3_600_000).default(5_000),
  /** how often the operations loops (bulk operations, backfills, webhook deliveries, SLA checks) look for work when they found none */
  FLOWLINE_OPERATIONS_POLL_MS: z.coerce.number().int().min(10).max(60_000).default(500),
  /** a webhook delivery attempt's timeout; a sender that dies mid-attempt leaves it to another after this (and a second) */
  FLOWLINE_NOTIFY_TIMEOUT_MS: z.coerce.number().int().min(100).max(300_000).default(10_000),
  /** the wait before a failed delivery's first retry; each retry waits twice the one before */
  FLOWLINE_NOTIFY_RETRY_MS: z.coerce.number().int().min(10).max(3_600_000).default(1_000),
  /** the longest wait between two attempts */
  FLOWLINE_NOTIFY_RETRY_MAX_MS: z.coerce.number().int().min(10).max(86_400_000).default(600_000),
  /** attempts at a delivery before it is given up (DEAD) */
  FLOWLINE_NOTIFY_MAX_ATTEMPTS: z.coerce.number().int().min(1).max(100).default(15),
  /** the address people reach this flowline at, for the links in notifications; unset: no links */
  FLOWLINE_PUBLIC_URL: z.string().url().optional(),
  /** finished runs are deleted this many days after they ended; unset keeps them forever */
  FLOWLINE_RETENTION_DAYS: z.coerce.number().positive().max(36_500).optional(),
  /** per-workflow retention overriding FLOWLINE_RETENTION_DAYS, e.g. `CheckPlatform=7,BackupCluster=90` */
  FLOWLINE_RETENTION_BY_WORKFLOW: z
    .string()
    .regex(/^\w+=\d+(\.\d+)?(,\w+=\d+(\.\d+)?)*$/, 'write Workflow=days pairs separated by commas')
    .optional(),
  /** OTLP/HTTP endpoint for traces of runs (the standard OpenTelemetry variable); unset → no traces exported */
  OTEL_EXPORTER_OTLP_ENDPOINT: z.string().url().optional(),
  OTEL_SERVICE_NAME: z.string().min(1).default('flowline'),
  LOG_LEVEL: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),
  /** Node's own options (read by Node, not by flowline): the V8 settings a flowline process applies by default give way to the operator's here */
  NODE_OPTIONS: z.string().default(''),
});

/** A process's configuration, parsed once at start-up from the environment (see loadConfig and the README's table). */
export type Config = {
  readonly port: number;
  readonly metricsPort: number;
  readonly metrics: {
    readonly access: MetricsAccess;
    readonly host: string;
    readonly cacheMs: number;
    readonly maxWorkflows: number;
    readonly maxSeriesPerWorkflow: number;
  };
  readonly http: { readonly egress: EgressPolicy; readonly maxResponseBytes: number };
  readonly host: string;
  readonly databaseUrl: string | undefined;
  readonly pgPoolMax: number;
  /** the server behind a pooler at databaseUrl, for session work (see FLOWLINE_DIRECT_DATABASE_URL) */
  readonly directDatabaseUrl: string | undefined;
  /** the read replica for history reads, and the lag it may have (see FLOWLINE_READ_DATABASE_URL) */
  readonly readDatabase: { readonly url: string; readonly maxLagMs: number } | undefined;
  readonly redisUrl: string;
  /** a Redis Cluster's seed nodes; set, it replaces redisUrl for every Redis use */
  readonly redisClusterNodes: readonly RedisNode[] | undefined;
  readonly queuePrefix: string;
  readonly timeZone: string;
  readonly adminToken: string | undefined;
  readonly sealKey: string | undefined;
  readonly dataDir: string;
  readonly workerConcurrency: number;
  readonly workerLocalQueue: number;
  readonly leaseMs: number;
  readonly reconcileMs: number;
  readonly maxLostAttempts: number;
  readonly deathCheckMs: number;
  readonly drainMs: number;
  readonly retention: RetentionPolicy;
  readonly operations: { readonly pollMs: number };
  readonly notifications: {
    readonly timeoutMs: number;
    readonly retryMs: number;
    readonly retryMaxMs: number;
    readonly maxAttempts: number;
    readonly publicUrl: string | undefined;
  };
  readonly otlpEndpoint: string | undefined;
  readonly serviceName: string;
  readonly logLevel: z.infer<typeof ConfigSchema>['LOG_LEVEL'];
  /** NODE_OPTIONS, split into its flags */
  readonly nodeOptions: readonly string[];
};

/** Whether the runtime knows `name` as an IANA time zone. */
export function isTimeZone(name: string): boolean {
  try {
    new Intl.DateTimeFormat('en-US', { timeZone: name });
    return true;
  } catch {
    return false;
  }
}

/** One seed node of a Redis Cluster. */
export interface RedisNode {
  readonly host: string;
  readonly port: number;
}

/** Parses the environment (or an override, for tests) into a Config; throws a readable error on bad values. */
export function loadConfig(env: Record<string, string | undefined> = process.env): Config {
  const c = parseEnvironment(ConfigSchema, env);
  if (c.FLOWLINE_DIRECT_DATABASE_URL !== undefined && c.DATABASE_URL === undefined) {
    throw new Error('invalid configuration:\n  FLOWLINE_DIRECT_DATABASE_URL: set DATABASE_URL to the pooler in front of it too');
  }
  return {
    port: c.PORT,
    metricsPort: c.FLOWLINE_METRICS_PORT,
    metrics: {
      access: c.FLOWLINE_METRICS_ACCESS,
      host: c.FLOWLINE_METRICS_HOST,
      cacheMs: c.FLOWLINE_METRICS_CACHE_MS,
      maxWorkflows: c.FLOWLINE_METRICS_MAX_WORKFLOWS,
      maxSeriesPerWorkflow: c.FLOWLINE_METRICS_MAX_SERIES_PER_WORKFLOW,
    },
    http: { egress: EgressPolicy.of(c.FLOWLINE_HTTP_ALLOW, c.FLOWLINE_HTTP_DENY), maxResponseBytes: c.FLOWLINE_HTTP_MAX_RESPONSE_BYTES },
    host: c.HOST,
    databaseUrl: c.DATABASE_URL,
    pgPoolMax: c.FLOWLINE_PG_POOL_MAX,
    directDatabaseUrl: c.FLOWLINE_DIRECT_DATABASE_URL,
    readDatabase: c.FLOWLINE_READ_DATABASE_URL === undefined ? undefined : { url: c.FLOWLINE_READ_DATABASE_URL, maxLagMs: c.FLOWLINE_READ_MAX_LAG_MS },
    redisUrl: c.REDIS_URL,
    redisClusterNodes: c.REDIS_CLUSTER_NODES?.split(',').map((node) => {
      const at = node.lastIndexOf(':');
      return { host: node.slice(0, at), port: Number(node.slice(at + 1)) };
    }),
    queuePrefix: c.FLOWLINE_QUEUE_PREFIX,
    timeZone: c.FLOWLINE_TZ,
    adminToken: c.FLOWLINE_ADMIN_TOKEN,
    sealKey: c.FLOWLINE_SEAL_KEY,
    dataDir: c.FLOWLINE_DATA_DIR,
    workerConcurrency: c.FLOWLINE_WORKER_CONCURRENCY,
    workerLocalQueue: c.FLOWLINE_WORKER_LOCAL_QUEUE,
    leaseMs: c.FLOWLINE_LEASE_MS,
    reconcileMs: c.FLOWLINE_RECONCILE_MS,
    maxLostAttempts: c.FLOWLINE_MAX_LOST_ATTEMPTS,
    deathCheckMs: c.FLOWLINE_DEATH_CHECK_MS,
    drainMs: c.FLOWLINE_DRAIN_MS,
    retention: retentionPolicy(c.FLOWLINE_RETENTION_DAYS, c.FLOWLINE_RETENTION_BY_WORKFLOW),
    operations: { pollMs: c.FLOWLINE_OPERATIONS_POLL_MS },
    notifications: {
      timeoutMs: c.FLOWLINE_NOTIFY_TIMEOUT_MS,
      retryMs: c.FLOWLINE_NOTIFY_RETRY_MS,
      retryMaxMs: c.FLOWLINE_NOTIFY_RETRY_MAX_MS,
      maxAttempts: c.FLOWLINE_NOTIFY_MAX_ATTEMPTS,
      publicUrl: c.FLOWLINE_PUBLIC_URL,
    },
    otlpEndpoint: c.OTEL_EXPORTER_OTLP_ENDPOINT,
    serviceName: c.OTEL_SERVICE_NAME,
    logLevel: c.LOG_LEVEL,
    nodeOptions: c.NODE_OPTIONS.split(/\s+/).filter(Boolean),
  };
}

/**
 * The environment's configuration with some variables given by the caller
 * instead (`createWorker`'s options, by their variable names), checked by the
 * same rules: a bad option is refused as the bad variable would be.
 */
export function loadConfigWith(variables: Readonly<Record<string, string | undefined>>): Config {
  const given = Object.entries(variables).filter(([, value]) => value !== undefined);
  return loadConfig({ ...process.env, ...Object.fromEntries(given) });
}

/** What the `flowline` CLI's client commands need: where the API is and who calls it. */
const ClientConfigSchema = z.object({
  FLOWLINE_URL: z.string().url().default('http://localhost:8080'),
  FLOWLINE_TOKEN: z.string().optional(),
});

export interface ClientConfig {
  readonly url: string;
  readonly token: string | undefined;
}

/**
 * Parsed apart from the server's Config: a client command must work on a
 * laptop whose environment holds no server settings, or bad ones.
 */
export function loadClientConfig(env: Record<string, string | undefined> = process.env): ClientConfig {
  const c = parseEnvironment(ClientConfigSchema, env);
  return { url: c.FLOWLINE_URL, token: c.FLOWLINE_TOKEN };
}

/** Parses an environment with a schema; throws one readable error listing every bad variable. */
function parseEnvironment<T extends z.ZodType>(schema: T, env: Record<string, string | undefined>): z.infer<T> {
  // An empty variable (`FOO=` in compose files) means unset, not "the empty string".
  const present = Object.fromEntries(Object.entries(env).filter(([, value]) => value !== undefined && value !== ''));
  const parsed = schema.safeParse(present);
  if (!parsed.success) {
    const lines = parsed.error.issues.map((i) => `  ${i.path.join('.')}: ${i.message}`);
    throw new Error(`invalid configuration:\n${lines.join('\n')}`);
  }
  return parsed.data;
}

const DAY_MS = 86_400_000;

function retentionPolicy(days: number | undefined, byWorkflow: string | undefined): RetentionPolicy {
  const pairs = (byWorkflow ?? '').split(',').filter(Boolean).map((pair) => pair.split('=') as [string, string]);
  return {
    ...(days === undefined ? {} : { maxAgeMs: days * DAY_MS }),
    byWorkflow: Object.fromEntries(pairs.map(([workflow, d]) => [workflow, Number(d) * DAY_MS])),
  };
}
