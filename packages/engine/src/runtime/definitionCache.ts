import { compileDag, type Dag } from '../core/dag.ts';
import type { Database } from '../storage/database.ts';
import { loadDefinitionVersion } from '../storage/definitionStore.ts';

/**
 * Compiled DAGs by (definition, version). Versions are immutable, so an entry
 * never goes stale; the map is bounded to keep a long-lived worker's memory flat.
 */
export class DefinitionCache {
  private readonly entries = new Map<string, Promise<Dag>>();

  constructor(
    private readonly db: Database,
    private readonly capacity = 1000,
  ) {}

  dag(definitionId: number, version: number): Promise<Dag> {
    const key = `${definitionId}:${version}`;
    let entry = this.entries.get(key);
    if (!entry) {
      entry = loadDefinitionVersion(this.db, definitionId, version).then((spec) => {
        if (!spec) throw new Error(`definition ${definitionId} has no version ${version}`);
        return compileDag(spec);
      });
      entry.catch(() => this.entries.delete(key));
      if (this.entries.size >= this.capacity) this.entries.delete(this.entries.keys().next().value!);
      this.entries.set(key, entry);
    }
    return entry;
  }
}
