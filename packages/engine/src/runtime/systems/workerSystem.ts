import { subscribeAborts } from '../../queue/abortChannel.ts';
import { bullPrefix } from '../../queue/keys.ts';
import { queuesServing } from '../../queue/nodeRouting.ts';
import { releaseHandedAttempts } from '../../storage/releaseHandedAttempts.ts';
import { releaseLeases } from '../../storage/releaseLeases.ts';
import { renewLeases } from '../../storage/renewLeases.ts';
import type { EngineResources } from '../engineResources.ts';
import { LivenessLock } from '../livenessLock.ts';
import type { WorkerPort } from '../workerPort.ts';
import { ClaimSystem, type WorkerLease } from './claimSystem.ts';
import type { DecisionSystem } from './decisionSystem.ts';
import type { DispatchSystem } from './dispatchSystem.ts';
import type { WaitSystem } from './waitSystem.ts';

/**
 * The engine's side of its workers: a WorkerPort per worker, bound to the
 * worker's lease, through which it claims (ClaimSystem), heartbeats and
 * reports (DecisionSystem), hands its waits for child runs to the engine
 * (WaitSystem) — and, when it shares the engine's process, takes
 * what the engine makes runnable (DispatchSystem's local lane).
 */
export class WorkerSystem {
  constructor(
    private readonly resources: EngineResources,
    private readonly decisions: DecisionSystem,
    private readonly dispatch: DispatchSystem,
    private readonly waits: WaitSystem,
  ) {}

  port(lease: WorkerLease): WorkerPort {
    const { resources, decisions, dispatch, waits } = this;
    const claims = new ClaimSystem(resources, lease);
    return {
      lease,
      queuePrefix: bullPrefix(resources.queuePrefix),
      servedQueues: () => queuesServing(resources.registry.served().map((type) => type.name)),
      onNewQueue: (listener) => resources.registry.onNewType(listener),
      logger: resources.logger,
      metrics: resources.metrics,
      now: resources.now,
      handlerFor: (spec) => resources.registry.resolve(spec),
      claim: (attempt) => claims.claim(attempt),
      claimStarted: (attempt) => claims.claimStarted(attempt),
      renew: (attempts) => renewLeases(resources.db.pool, { leaseOwner: lease.owner, leaseMs: lease.ms, now: resources.now(), attempts }),
      release: () => releaseLeases(resources.db.pool, { leaseOwner: lease.owner, now: resources.now() }),
      report: (runId, event, definition) => decisions.transition(runId, event, { definition }),
      awaitChild: (attempt, child) => waits.detachToChild(attempt, child),
      requeue: (attempts) => dispatch.requeue(attempts),
      requeueBatch: (queue, attempts, since) => resources.nodeQueue.addBatch(queue, attempts, since),
      releaseHanded: (attempts) => releaseHandedAttempts(resources.db.pool, { leaseOwner: lease.owner, attempts }),
      subscribeAborts: (subscriber, onAbort) => subscribeAborts(subscriber, resources.queuePrefix, onAbort),
      runLocally: (lane) => dispatch.attach(lane),
      holdLiveness: async () => {
        const lock = new LivenessLock(resources.db, lease.owner, resources.logger);
        await lock.hold();
        return lock;
      },
    };
  }
}
