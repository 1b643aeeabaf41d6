import { compileDag, type Dag } from '../core/dag.ts';
import type { WorkflowSpec } from '../core/spec.ts';
import type { Database } from '../storage/database.ts';
import { loadDefinitionVersion } from '../storage/definitionStore.ts';

interface CachedVersion {
  readonly spec: WorkflowSpec;
  readonly dag: Dag;
}

/**
 * Definition versions by (definition, version): the spec and its compiled
 * DAG. Versions are immutable, so an entry never goes stale; the map is
 * bounded to keep a long-lived worker's memory flat.
 */
export class DefinitionCache {
  private readonly entries = new Map<string, Promise<CachedVersion>>();

  constructor(
    private readonly db: Database,
    private readonly capacity = 1000,
  ) {}

  async dag(definitionId: number, version: number): Promise<Dag> {
    return (await this.version(definitionId, version)).dag;
  }

  /** The version's spec as stored (what a run pinned to it was started under). */
  async spec(definitionId: number, version: number): Promise<WorkflowSpec> {
    return (await this.version(definitionId, version)).spec;
  }

  private version(definitionId: number, version: number): Promise<CachedVersion> {
    const key = `${definitionId}:${version}`;
    let entry = this.entries.get(key);
    if (!entry) {
      entry = loadDefinitionVersion(this.db, definitionId, version).then((spec) => {
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
