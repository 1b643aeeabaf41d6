import { compileDag } from '../core/dag.ts';
import { WorkflowSpecSchema, type WorkflowSpec, type WorkflowSpecInput } from '../core/spec.ts';
import { DagInvalid, DefinitionExists, DefinitionNotFound, Forbidden, InvalidTransition, ValidationFailed } from '../errors.ts';
import { namedHandlerTypes, withHandlerInput } from '../definitions/handlerTypeUse.ts';
import { checkInputSchema } from '../definitions/runInput.ts';
import { CODE_NODE_TYPE, type HandlerRegistry } from '../handlers/handlerRegistry.ts';
import type { ScheduleCatalog } from '../scheduler/scheduleCatalog.ts';
import { checkSchedules } from '../scheduler/scheduleSpec.ts';
import type { Database } from '../storage/database.ts';
import { findHandlerTypes } from '../storage/findHandlerTypes.ts';
import type { Notifications } from '../notifications/notifications.ts';
import type { DefinitionCache } from './definitionCache.ts';
import {
  deleteDefinition,
  findDefinitionById,
  findLatestDefinition,
  findLatestVersion,
  upsertDefinition,
  type DefinitionVersionRecord,
} from '../storage/definitionStore.ts';
import { findVisibleDefinition } from '../storage/findVisibleDefinition.ts';
import { listVisibleDefinitions, type DefinitionSummary } from '../storage/listVisibleDefinitions.ts';

/** The org whose definitions every org may start: the shared catalog (demo and code-defined flows). */
export const SHARED_CATALOG_ORG = 'default';

/**
 * Workflow definitions: validated, versioned, per org. An update stores a new
 * version; runs already started keep the version they pinned.
 */
export class DefinitionCatalog {
  constructor(
    private readonly db: Database,
    private readonly registry: HandlerRegistry,
    private readonly now: () => Date,
    private readonly schedules: ScheduleCatalog,
    private readonly versions: DefinitionCache,
    private readonly notifications: Notifications,
  ) {}

  /**
   * Schema, DAG (cycles, unknown/duplicate names, unknown types), handler
   * types (registered here or by any worker) and the input schema; errors name
   * the node. A definition without an input schema takes its handler types'.
   */
  async validate(input: WorkflowSpecInput | WorkflowSpec): Promise<WorkflowSpec> {
    const parsed = WorkflowSpecSchema.safeParse(input);
    if (!parsed.success) throw new ValidationFailed(parsed.error.issues.map(formatIssue).join('; '));
    const registered = await this.registeredHandlerTypes(parsed.data);
    compileDag(parsed.data, new Set([...this.registry.nodeTypes, ...registered.keys()]));
    this.registry.checkParams(parsed.data.nodes);
    checkSchedules(parsed.data.schedules);
    for (const node of parsed.data.nodes) {
      if (node.type === CODE_NODE_TYPE && (node.handler === undefined || !registered.has(node.handler))) {
        throw new DagInvalid(`node ${node.name} names handler ${JSON.stringify(node.handler ?? '')}, which no worker registered`, node.name);
      }
    }
    const spec = withHandlerInput(parsed.data, registered);
    checkInputSchema(spec);
    return spec;
  }

  /** The handler types a spec names that this process or any worker registered, with their input schemas. */
  private async registeredHandlerTypes(spec: WorkflowSpec): Promise<Map<string, Record<string, unknown> | null>> {
    const names = namedHandlerTypes(spec, this.registry.nodeTypes);
    const registered = new Map<string, Record<string, unknown> | null>();
    for (const name of names) if (this.registry.hasCode(name)) registered.set(name, this.registry.infoOf(name)?.inputSchema ?? null);
    const elsewhere = names.filter((name) => !registered.has(name));
    for (const found of await findHandlerTypes(this.db.pool, elsewhere)) registered.set(found.name, found.inputSchema);
    return registered;
  }

  /** Creates or updates (new version only if the spec changed). */
  async apply(input: WorkflowSpecInput | WorkflowSpec, orgId: string): Promise<DefinitionVersionRecord> {
    return this.store(orgId, await this.validate(input));
  }

  async create(input: WorkflowSpecInput, orgId: string): Promise<DefinitionVersionRecord> {
    const spec = await this.validate(input);
    if (await findLatestDefinition(this.db, orgId, spec.name)) throw new DefinitionExists(spec.name);
    return this.store(orgId, spec);
  }

  async update(name: string, input: WorkflowSpecInput, orgId: string): Promise<DefinitionVersionRecord> {
    const spec = await this.validate(input);
    if (spec.name !== name) throw new ValidationFailed(`name: the body names ${JSON.stringify(spec.name)} but the path names ${JSON.stringify(name)}`);
    await this.ownOf(name, orgId);
    return this.store(orgId, spec);
  }

  /** The latest version of the definition the org sees by that name: its own, else the shared catalog's (`orgId` says which). */
  async get(name: string, orgId: string): Promise<DefinitionVersionRecord> {
    const found = await findVisibleDefinition(this.db.pool, orgId, SHARED_CATALOG_ORG, name);
    if (!found) throw new DefinitionNotFound(name);
    return found;
  }

  /**
   * The org's own definition of that name, for a change. One the org only
   * sees through the shared catalog is refused as such (403), not as missing:
   * the org reads and starts it, it does not change it.
   */
  private async ownOf(name: string, orgId: string): Promise<DefinitionVersionRecord> {
    const found = await this.get(name, orgId);
    if (found.orgId !== orgId) {
      throw new Forbidden('admin', 'global', `${name} is a definition of the shared catalog (org "${SHARED_CATALOG_ORG}"), changed by a superadmin only`);
    }
    return found;
  }

  /** What a run of `name` started by `orgId` uses: the org's own definition, else the shared catalog's. */
  async resolveForStart(name: string, orgId: string): Promise<DefinitionVersionRecord> {
    const own = await findLatestVersion(this.db, orgId, name);
    const shared = own || orgId === SHARED_CATALOG_ORG ? undefined : await findLatestVersion(this.db, SHARED_CATALOG_ORG, name);
    const found = own ?? shared;
    if (!found) throw new DefinitionNotFound(name);
    // Versions are immutable: the spec comes from the cache, read once per version.
    const spec = await this.versions.spec(found.id, found.version);
    // A run of no nodes would never end: nothing would ever settle it.
    if (spec.nodes.length === 0) throw new InvalidTransition('start', 'EMPTY', `workflow ${JSON.stringify(name)} has no nodes to run`);
    return { id: found.id, version: found.version, name, orgId: own ? orgId : SHARED_CATALOG_ORG, spec };
  }

  /** A definition by its numeric id (Explorer workflowId): one of the org's own or of the shared catalog. */
  async getById(id: number, orgId: string): Promise<{ id: number; orgId: string; name: string }> {
    const found = await findDefinitionById(this.db, id);
    if (!found || (found.orgId !== orgId && found.orgId !== SHARED_CATALOG_ORG)) throw new DefinitionNotFound(String(id));
    return found;
  }

  /** The definitions the org may start: its own and the shared catalog's it does not shadow (marked shared). */
  list(orgId: string): Promise<DefinitionSummary[]> {
    return listVisibleDefinitions(this.db.pool, orgId, SHARED_CATALOG_ORG);
  }

  async delete(name: string, orgId: string): Promise<void> {
    await this.ownOf(name, orgId);
    if (!(await deleteDefinition(this.db, orgId, name, this.now()))) throw new DefinitionNotFound(name);
  }

  /** Stores the spec, then makes its schedules', webhooks' and SLAs' rows match it. */
  private async store(orgId: string, spec: WorkflowSpec): Promise<DefinitionVersionRecord> {
    const record = await upsertDefinition(this.db, orgId, spec);
    await this.schedules.sync(record);
    const issuedWebhooks = await this.notifications.sync(record);
    return issuedWebhooks.length === 0 ? record : { ...record, issuedWebhooks };
  }
}

function formatIssue(issue: { path: PropertyKey[]; message: string }): string {
  return issue.path.length ? `${issue.path.map(String).join('.')}: ${issue.message}` : issue.message;
}
