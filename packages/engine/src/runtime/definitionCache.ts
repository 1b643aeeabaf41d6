import { compileDag, type Dag } from '../core/dag.ts';
import type { WorkflowSpec } from '../core/spec.ts';
import type { Database, Queryable } from '../storage/database.ts';
import { loadDefinitionVersion } from '../storage/definitionStore.ts';

interface CachedVersion {
  readonly spec: WorkflowSpec;
  readonly dag: Dag;
}

/**
 * Definition versions by (definition, version): the spec and its compiled
 * DAG. Versions are immutable, so an entry never goes stale; the map is
 * bounded to keep a long-lived worker's memory flat.
 *
 * A caller holding a connection (a decision under its runs' locks) passes it
 * as `via`: a miss is read through that connection, never by asking the pool
 * for a second one, which under load would wait on connections that are all
 * held by decisions waiting the same way.
 */
export class DefinitionCache {
  private readonly entries = new Map<string, Promise<CachedVersion>>();

  constructor(
    private readonly db: Database,
    private readonly capacity = 1000,
  ) {}

  async dag(definitionId: number, version: number, via?: Queryable): Promise<Dag> {
    return (await this.version(definitionId, version, via)).dag;
  }

  /** The version's spec as stored (what a run pinned to it was started under). */
  async spec(definitionId: number, version: number): Promise<WorkflowSpec> {
    return (await this.version(definitionId, version)).spec;
  }

  private version(definitionId: number, version: number, via: Queryable = this.db.pool): Promise<CachedVersion> {
    const key = `${definitionId}:${version}`;
    let entry = this.entries.get(key);
    if (!entry) {
      entry = loadDefinitionVersion(via, definitionId, version).then((spec) => {
        if (!spec) throw new Error(`definition ${definitionId} has no version ${version}`);
        return { spec, dag: compileDag(spec) };
      });
      entry.catch(() => this.entries.delete(key));
      if (this.entries.size >= this.capacity) this.entries.delete(this.entries.keys().next().value!);
      this.entries.set(key, entry);
    }
    return entry;
  }
}
