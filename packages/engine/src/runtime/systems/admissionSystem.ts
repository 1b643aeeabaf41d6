import { uuidToShortId } from '../../core/ids.ts';
import { admitRuns } from '../../storage/admitRuns.ts';
import type { EngineResources } from '../engineResources.ts';
import type { DispatchSystem } from './dispatchSystem.ts';

/**
 * Admission: runs of a workflow with a concurrency limit start waiting
 * (READY, their roots held in WAIT) and are admitted into their key's free
 * slots by one statement (storage/admitRuns.ts) that any process may run at
 * any time. It runs after a start of a limited workflow commits, after a
 * decision ends a run of one, and in every worker's admission loop
 * (OperationsLoop.ADMISSION), which catches what a process that died between
 * the two missed. Admitted roots are dispatched like a start's.
 */
export class AdmissionSystem {
  /** A pass asked for while one runs runs once more after it, not alongside it: the second would find the first's keys locked. */
  private pass: Promise<boolean> | undefined;
  private again = false;

  constructor(
    private readonly resources: EngineResources,
    private readonly dispatch: DispatchSystem,
  ) {}

  /** Admits what fits now and dispatches it; answers whether it admitted any run (a loop then looks again at once). */
  admit(): Promise<boolean> {
    if (this.pass) {
      this.again = true;
      return this.pass;
    }
    this.pass = this.admitNow().finally(() => {
      this.pass = undefined;
      if (this.again) {
        this.again = false;
        void this.admit().catch((error: unknown) => this.resources.logger?.warn({ err: error }, 'admission pass failed; the admission loop tries again'));
      }
    });
    return this.pass;
  }

  private async admitNow(): Promise<boolean> {
    const now = this.resources.now();
    const admitted = await admitRuns(this.resources.db.pool, now);
    if (admitted.length === 0) return false;
    await this.dispatch.dispatchDue(
      admitted.flatMap(({ runId, priority, roots }) => roots.map(({ node, queue }) => ({ runId, node, attempt: 1, queue, runAt: now, ...(priority ? { priority } : {}) }))),
    );
    for (const { runId } of admitted) this.resources.logger?.debug({ runId: uuidToShortId(runId) }, 'run admitted');
    return true;
  }
}
