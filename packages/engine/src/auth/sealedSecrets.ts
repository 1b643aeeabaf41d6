import { shortIdToUuid } from '../core/ids.ts';
import type { Database } from '../storage/database.ts';
import { findRunSecret } from '../storage/findRunSecret.ts';
import type { SecretSeal } from './secretSeal.ts';

/** Where a node handler looks up the value behind a `{"secretRef": "<name>"}`. */
export interface SecretResolver {
  /** the value, or undefined when the run's org has no live secret of that name */
  resolve(runId: string, name: string): Promise<string | undefined>;
}

/**
 * Secrets kept as `secret` credentials, sealed like COS/Qiniu keys and opened
 * only in the worker that sends them: definitions, node parameters and every
 * view hold the name, never the value.
 */
export class SealedSecrets implements SecretResolver {
  constructor(
    private readonly db: Database,
    private readonly seal: SecretSeal,
    private readonly now: () => Date = () => new Date(),
  ) {}

  async resolve(runId: string, name: string): Promise<string | undefined> {
    const uuid = shortIdToUuid(runId) ?? runId;
    const sealed = await findRunSecret(this.db.pool, uuid, name, this.now());
    return sealed === undefined ? undefined : this.seal.open(sealed);
  }
}
