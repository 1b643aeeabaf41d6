import type { CostSources } from '../harness/costMeter.ts';
import { forEachBounded } from '../harness/boundedConcurrency.ts';
import { Countdown } from '../harness/countdown.ts';
import { startAll, untilNoneUnfinished } from '../harness/startMode.ts';
import type { Contender } from './contender.ts';

/** The kinds of job a peer runs for the scenarios, each in its own queue or task. */
export type StepKind = 'one' | 'held' | 'chain' | 'root' | 'middle' | 'join';

export interface StepPayload {
  /** the chain or fan-out this job belongs to */
  readonly key: string;
  readonly step: number;
  readonly width: number;
}

/**
 * What every job-queue peer (BullMQ, graphile-worker, pg-boss) does the same
 * way: the handlers' bookkeeping and the Contender calls, built on the peer's
 * own `enqueue`. Each peer adapter supplies only its queue, its settings and
 * how its S3 root spawns the middle steps and the join.
 */
export class JobQueuePeer {
  private completions: Countdown | undefined;
  private gate: Promise<void> = Promise.resolve();
  private heldFinished: Countdown | undefined;
  private readonly chains = new Map<string, { steps: number[]; length: number; done: () => void }>();
  private readonly joins = new Map<string, () => void>();
  private sequence = 0;

  private readonly enqueue: (kind: StepKind, payload: StepPayload) => Promise<unknown>;

  constructor(
    private readonly queue: {
      /** one job, one call of the peer's own API */
      readonly enqueue: (kind: StepKind, payload: StepPayload) => Promise<unknown>;
      /** many 'one' jobs in one call of the peer's bulk API */
      readonly enqueueMany: (kind: StepKind, payloads: readonly StepPayload[]) => Promise<unknown>;
      /**
       * how many 'one' jobs the peer's store holds unfinished: S1 waits for none,
       * so completion counts once it is written; absent, `oneCompleted` counts
       */
      readonly unfinished?: () => Promise<number>;
    },
  ) {
    this.enqueue = queue.enqueue;
  }

  /** handler of 'one' jobs, called once the peer reports the job completed (peers without `unfinished`) */
  oneCompleted(): void {
    this.completions?.tick();
  }

  /** handler of 'held' jobs */
  async held(): Promise<void> {
    await this.gate;
    this.heldFinished?.tick();
  }

  /** handler of 'chain' jobs: record the moment, enqueue the next step (through the handler's own client if given) */
  async chainStep(payload: StepPayload, enqueueNext = this.enqueue): Promise<void> {
    const chain = this.chains.get(payload.key)!;
    chain.steps.push(performance.now());
    if (payload.step + 1 < chain.length) await enqueueNext('chain', { ...payload, step: payload.step + 1 });
    else chain.done();
  }

  /** handler of 'join' jobs */
  joined(payload: StepPayload): void {
    this.joins.get(payload.key)?.();
  }

  contender(close: () => Promise<void>, cost: CostSources): Contender {
    return {
      cost,
      runOneStep: async (count, mode) => {
        const one = (i: number): StepPayload => ({ key: '', step: i, width: 0 });
        this.completions = new Countdown(count);
        await startAll(
          count,
          mode,
          (i) => this.enqueue('one', one(i)),
          (from, n) => this.queue.enqueueMany('one', Array.from({ length: n }, (_, i) => one(from + i))),
        );
        const { unfinished } = this.queue;
        await (unfinished ? untilNoneUnfinished(unfinished) : this.completions.reached);
      },
      runChain: async (length) => {
        const key = `c${++this.sequence}`;
        const steps: number[] = [];
        const done = new Promise<void>((resolve) => this.chains.set(key, { steps, length, done: resolve }));
        const started = performance.now();
        await this.enqueue('chain', { key, step: 0, width: 0 });
        await done;
        this.chains.delete(key);
        return [started, ...steps];
      },
      runFanOut: async (width) => {
        const key = `f${++this.sequence}`;
        const joined = new Promise<void>((resolve) => this.joins.set(key, resolve));
        await this.enqueue('root', { key, step: 0, width });
        await joined;
        this.joins.delete(key);
      },
      holdInFlight: async (count, producers) => {
        let open!: () => void;
        this.gate = new Promise((resolve) => (open = resolve));
        const finished = (this.heldFinished = new Countdown(count));
        await forEachBounded(count, producers, (i) => this.enqueue('held', { key: '', step: i, width: 0 }));
        return {
          release: async () => {
            open();
            await finished.reached;
          },
        };
      },
      residentBytes: () => process.memoryUsage().rss,
      close,
    };
  }
}

/**
 * The S3 join of the Postgres-backed peers: a counter row per fan-out in the
 * peer's own database, decremented by each middle step in one statement; the
 * step that takes it to zero enqueues the join. Durable, like flowline's join.
 */
export const JOIN_COUNTER_SQL = {
  create: `CREATE TABLE bench_join (key text PRIMARY KEY, remaining int NOT NULL)`,
  open: `INSERT INTO bench_join (key, remaining) VALUES ($1, $2)`,
  decrement: `UPDATE bench_join SET remaining = remaining - 1 WHERE key = $1 RETURNING remaining`,
} as const;
