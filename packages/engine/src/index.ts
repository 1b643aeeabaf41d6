/**
 * @flowline/engine — the public surface. Everything not exported here is internal.
 */
export { loadConfig, loadClientConfig, type Config, type ClientConfig } from './config.ts';
export * from './errors.ts';

// the pure core
export { Status, statusName, isTerminal, canTransition, allowedFrom, TERMINAL_STATUSES, type StatusName } from './core/status.ts';
export { decide } from './core/decide.ts';
export type { Command, NodeOutcome, NodeState, RunEvent, RunState } from './core/runState.ts';
export { compileDag, type Dag } from './core/dag.ts';
export { WorkflowSpecSchema, NodeSpecSchema, type WorkflowSpec, type WorkflowSpecInput, type NodeSpec } from './core/spec.ts';
export { newUuid, uuidToShortId, shortIdToUuid } from './core/ids.ts';

// defining workflows and handlers
export { defineWorkflow, type WorkflowDefinition, type CodeNodeInput } from './definitions/defineWorkflow.ts';
export { HandlerRegistry, CODE_NODE_TYPE } from './handlers/handlerRegistry.ts';
export type { NodeContext, NodeHandler } from './handlers/nodeHandler.ts';
export { DEMO_WORKFLOWS } from './demo/index.ts';
export { BackupCluster } from './demo/backupCluster.ts';
export { CheckPlatform } from './demo/checkPlatform.ts';

// running
export { Engine, DEFAULT_ORG, TriggerType, toRunUuid, type EngineOptions, type StartRunRequest, type StartedRun, type PendingStart, type TransitionContext } from './runtime/engine.ts';
export type { RunDefinitionRef } from './runtime/decisionState.ts';
export type { LocalLane, ClaimedAttempt } from './runtime/localLane.ts';
export { resultText, COMPLETED } from './runtime/nodeResult.ts';
export { FlowlineMetrics, type FlowlineMetricsOptions } from './metrics/flowlineMetrics.ts';

// adapters, for the process packages
export { openDatabase, inTransaction, type Database } from './storage/database.ts';
export { migrateDatabase, assertDatabaseNotAhead, DatabaseAheadOfCode, MIGRATIONS_FOLDER } from './storage/migrate.ts';
export { startEmbeddedPostgres, type EmbeddedDatabase } from './storage/embeddedPostgres.ts';
export { claimNodes, attemptKey, type ClaimedNode, type ClaimRequest } from './storage/claimNodes.ts';
export { loadNodeOutputs } from './storage/loadNodeOutputs.ts';
export { renewLeases, type RenewedLease } from './storage/renewLeases.ts';
export { releaseLeases } from './storage/releaseLeases.ts';
export type { NodeAttempt } from './storage/nodeAttempt.ts';
export { newLeaseOwner } from './runtime/leaseOwner.ts';
export { GroupCommit } from './runtime/groupCommit.ts';
export { isRetryableTransactionError } from './storage/sqlState.ts';

// reliability
export { Reconciler, type ReconcilerOptions, type ReconcilePass } from './reconciler/reconciler.ts';
export { RunRetention, type RunRetentionOptions } from './retention/runRetention.ts';
export type { RetentionPolicy } from './retention/retentionPolicy.ts';
export type { RunRecord, NodeRecord, RunWithNodes } from './storage/readRun.ts';
export { QueueName, bullPrefix } from './queue/keys.ts';
export { subscribeAborts } from './queue/abortChannel.ts';
export type { NodeJobData, NodeDispatch } from './queue/nodeQueue.ts';
export { connectRedis, assertRedisReachable } from './queue/redisConnection.ts';

// auth
export { Role, ROLES, Permission, roleAllows, type Principal } from './auth/roles.ts';
export { CredentialKind, CREDENTIAL_KINDS } from './auth/credentialKind.ts';
export { SecretSeal } from './auth/secretSeal.ts';
export { readOrCreateSealKey } from './auth/sealKeyFile.ts';
export {
  CredentialAuthority,
  type IssueCredentialRequest,
  type IssuedCredential,
  type CredentialSummary,
} from './auth/credentialAuthority.ts';

// tracing (OpenTelemetry; a no-op until startTracing installs the SDK)
export { startNodeSpan, endNodeSpan, emitRunSpan, runSpanId } from './tracing/runTracing.ts';
export { startTracing, type Tracing } from './tracing/tracingSdk.ts';

// history
export { listRunsBySeq, runFilterSql, type RunFilter } from './storage/listRuns.ts';
export { MAX_PAGE_DEPTH, RunOrderColumn, type RunOrder, type RunPageRequest } from './storage/listRunsByPage.ts';
export { RUN_COLUMNS, toRunRecord } from './storage/readRun.ts';
export { SHARED_CATALOG_ORG, DefinitionCatalog } from './runtime/definitionCatalog.ts';
export type { DefinitionSummary, DefinitionVersionRecord } from './storage/definitionStore.ts';

// scheduling
export { SchedulerLoop, type SchedulerLoopOptions } from './scheduler/schedulerLoop.ts';
export { ScheduleCatalog, MAX_PREVIEW, type ScheduleDetail } from './scheduler/scheduleCatalog.ts';
export { FireTimes } from './scheduler/fireTimes.ts';
export { toCronerPattern, ExpressionForm } from './scheduler/cronExpression.ts';
export {
  ScheduleSpecSchema,
  OverlapPolicy,
  MisfirePolicy,
  FiringOutcome,
  type ScheduleSpec,
  type ScheduleSpecInput,
} from './scheduler/scheduleSpec.ts';
export { MISFIRE_THRESHOLD_MS } from './scheduler/decideFirings.ts';
export type { ScheduleRecord } from './storage/readSchedules.ts';
export type { FiringRecord } from './storage/listFirings.ts';
