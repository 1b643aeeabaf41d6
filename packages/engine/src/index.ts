/**
 * @flowline/engine — the public surface: what the process packages (api,
 * worker, cli, bench) and a user's own code use. Everything not exported here
 * is internal and may change without notice; each export carries its own doc
 * comment where it is declared.
 */
export { loadConfig, loadConfigWith, type Config, type RedisNode } from './config.ts';
export * from './errors.ts';

// Statuses, events and definitions: the vocabulary of every surface
export { Status, statusName, isTerminal, TERMINAL_STATUSES, type StatusName } from './core/status.ts';
export type { Command, RunEvent, RunState, NodeStateRow } from './core/runState.ts';
export type { Dag } from './core/dag.ts';
export { NodeSpecSchema, type WorkflowSpec, type WorkflowSpecInput, type NodeSpec } from './core/spec.ts';
export { uuidToShortId } from './core/ids.ts';
export { parseElement, specOf, parentsOf } from './core/mapElements.ts';
export { MAX_MAP_ITEMS, type MapSpec } from './core/mapSpec.ts';
export {
  ParkedNodeType,
  PARKED_NODE_TYPES,
  SIGNAL_NAME_PATTERN,
  isParkedNode,
  signalNameOf,
  type ApprovalDecision,
} from './core/parkedNode.ts';

// Defining workflows and their handlers
export {
  defineWorkflow,
  type WorkflowDefinition,
  type Workflow,
  type WorkflowOptions,
  type WorkflowInput,
  type InputSchema,
  type CodeNodeInput,
  type CodeHandler,
  type NodeOptions,
  type ParentOutputs,
} from './definitions/defineWorkflow.ts';
export { HandlerRegistry, type HandlerTypeInfo, type ServedHandlerType } from './handlers/handlerRegistry.ts';
export type { NodeContext, NodeHandler } from './handlers/nodeHandler.ts';
export { NonRetryableError, failureCauseOf } from './handlers/nonRetryableError.ts';
export { NodeRetryPolicySchema, type NodeRetryPolicy } from './core/retryPolicy.ts';
export { ConcurrencySpecSchema, type ConcurrencySpec } from './core/concurrencySpec.ts';
export { MIN_RUN_PRIORITY, MAX_RUN_PRIORITY } from './queue/nodePriority.ts';
export { ChildRunRequest } from './handlers/childRunRequest.ts';
export { DEMO_WORKFLOWS } from './demo/index.ts';
export { BackupCluster } from './demo/backupCluster.ts';
export { CheckPlatform } from './demo/checkPlatform.ts';

// The engine
export { Engine, DEFAULT_ORG, type EngineOptions } from './runtime/engine.ts';
export { TriggerType, type StartRunRequest, type StartedRun, type PendingStart } from './runtime/systems/startSystem.ts';
export type { TransitionContext } from './runtime/systems/decisionSystem.ts';
export type { RunFamily, SentSignal, SignalSender } from './runtime/systems/waitSystem.ts';
export { toRunUuid } from './runtime/systems/historySystem.ts';
export { FlowlineMetrics, type FlowlineMetricsOptions } from './metrics/flowlineMetrics.ts';

// Workers: how a worker reaches its engine, and how the fleet knows what each serves
export type { WorkerPort } from './runtime/workerPort.ts';
export type { RegisteredWorker } from './runtime/systems/fleetSystem.ts';
export type { HandlerTypeRecord, ServingWorker } from './storage/listHandlerTypes.ts';
export type { WorkerLease, AttemptToClaim } from './runtime/systems/claimSystem.ts';
export type { ClaimedAttempt } from './runtime/claimedAttempt.ts';
export type { LocalLane, LocalAttempt, SlotReservation } from './runtime/localLane.ts';
export type { RunDefinitionRef } from './runtime/decisionState.ts';
export type { ClaimedNode } from './storage/claimNodes.ts';
export type { NodeAttempt } from './storage/nodeAttempt.ts';
export type { RenewedLease } from './storage/renewLeases.ts';
export { NODE_BATCH_MAX, attemptsOf, type NodeJobData, type NodeBatchData, type NodeDispatch } from './queue/nodeQueue.ts';
export type { AbortTarget } from './queue/abortChannel.ts';
export { QueueName, bullPrefix } from './queue/keys.ts';
export { handlerTypeOf, queueOf } from './queue/nodeRouting.ts';
export { newLeaseOwner } from './runtime/leaseOwner.ts';
export { resultText, COMPLETED } from './runtime/nodeResult.ts';

// Connections, migrations and the process's loops
export { openDatabase, type Database } from './storage/database.ts';
export { waitForDatabase } from './storage/waitForDatabase.ts';
export { isPostgresUnavailable } from './storage/sqlState.ts';
export { migrateDatabase, assertDatabaseNotAhead } from './storage/migrate.ts';
export { startEmbeddedPostgres, type EmbeddedDatabase } from './storage/embeddedPostgres.ts';
export { connectRedis, assertRedisReachable, redisAddressOf, type RedisConnection, type RedisAddress } from './queue/redisConnection.ts';
export { Reconciler, type ReconcilerOptions, type ReconcilePass } from './reconciler/reconciler.ts';
export { RunRetention, type RunRetentionOptions } from './retention/runRetention.ts';
/** Creates history partitions ahead of the runs that need them (the reconciler's `partitions`). */
export { RunPartitions, type RunPartitionOptions } from './partitions/runPartitions.ts';
export { ensureRunPartitions } from './storage/ensureRunPartitions.ts';
export type { RetentionPolicy } from './retention/retentionPolicy.ts';
export { SchedulerLoop, type SchedulerLoopOptions } from './scheduler/schedulerLoop.ts';

// Auth
export { Role, ROLES, Permission, roleAllows, type Principal } from './auth/roles.ts';
export { CredentialKind, CREDENTIAL_KINDS } from './auth/credentialKind.ts';
export { SecretSeal } from './auth/secretSeal.ts';
export { readOrCreateSealKey } from './auth/sealKeyFile.ts';
export { CredentialAuthority, type IssueCredentialRequest, type IssuedCredential, type CredentialSummary } from './auth/credentialAuthority.ts';

// Tracing (OpenTelemetry; a no-op until startTracing installs the SDK)
export { startNodeSpan, endNodeSpan, runSpanId } from './tracing/runTracing.ts';
export { startTracing, type Tracing } from './tracing/tracingSdk.ts';

// History and schedules, as every surface reads them
export type { RunFilter, RunSeqPage, RunSeqPageRequest } from './storage/listRuns.ts';
export { MAX_PAGE_DEPTH, RunOrderColumn, type RunOrder, type RunPageRequest } from './storage/listRunsByPage.ts';
export type { RunRecord, NodeRecord, AttemptRecord, RunWithNodes } from './storage/readRun.ts';
export type { DefinitionVersionRecord } from './storage/definitionStore.ts';
export type { DefinitionSummary } from './storage/listVisibleDefinitions.ts';
export { MAX_PREVIEW, type ScheduleDetail } from './scheduler/scheduleCatalog.ts';
export { toCronerPattern } from './scheduler/cronExpression.ts';
export { ScheduleSpecSchema, OverlapPolicy, MisfirePolicy, FiringOutcome, type ScheduleSpec, type ScheduleSpecInput } from './scheduler/scheduleSpec.ts';
export type { ScheduleRecord } from './storage/readSchedules.ts';
export type { FiringRecord } from './storage/listFirings.ts';

// security: who may issue and change what, the http node's egress and secrets, client faults
export { MetricsAccess } from './config.ts';
export { ORG_ROLES } from './auth/roles.ts';
export { assertMayIssue } from './auth/issuePolicy.ts';
export { assertMayChangeDefinitions } from './auth/catalogAccess.ts';
export { SealedSecrets, type SecretResolver } from './auth/sealedSecrets.ts';
export { EgressPolicy, EgressDenied } from './handlers/egress/egressPolicy.ts';
export type { HttpNodeOptions } from './handlers/builtins/http.ts';
export type { HandlerRegistryOptions } from './handlers/handlerRegistry.ts';
export { redactNodeParams } from './handlers/builtins/httpParams.ts';
export { clientFaultOf } from './storage/clientFault.ts';

// Operating flowline: the audit trail
export { AuditOutcome, auditOutcomeOf, type AuditEntry, type AuditFilter, type AuditRecord, type AuditPrincipal } from './audit/auditEvent.ts';
export {
  BulkAction,
  BulkOperationStatus,
  MAX_BULK_IDS,
  type BulkOperationRecord,
  type BulkOperationRequest,
  type BulkRunFilter,
  type BulkSelector,
  type BulkRunError,
} from './bulk/bulkOperation.ts';
export { BackfillStatus, type BackfillRecord, type BackfillRequest } from './backfill/backfill.ts';
export { MAX_BACKFILL_FIRE_TIMES, DEFAULT_BACKFILL_CONCURRENCY } from './scheduler/decideBackfill.ts';
export { NotifyEvent, NotifySpecSchema, SlaSpecSchema, type NotifySpec, type SlaSpec } from './core/notifySpec.ts';
export { webhookSignature, verifyWebhookSignature, SIGNATURE_HEADER } from './notifications/webhookSignature.ts';
export { DeliveryStatus, type RetryPolicy } from './notifications/deliveryVerdict.ts';
export type { DeliveryOptions } from './notifications/notifications.ts';
export type { DeliveryRecord, DeliveryAttempt } from './storage/listRunDeliveries.ts';
export type { WebhookRecord, IssuedWebhook } from './storage/listWebhooks.ts';
export { OperationsLoops, OperationsLoop, type OperationsLoopsOptions } from './operations/operationsLoops.ts';
