import type { BenchEnvironment } from '../harness/benchEnvironment.ts';
import type { CostSources } from '../harness/costMeter.ts';

/**
 * How S1's starts are made, the same for every contender: `bulk`, `batch`
 * starts a call through the contender's bulk API (pg-boss `insert`,
 * graphile-worker `addJobs`, BullMQ `addBulk`, flowline `POST /v1/runs:batch`),
 * `inFlight` such calls at once; `perCall`, one start a call, `producers` calls
 * in flight at once.
 */
export type StartMode =
  | { readonly kind: 'bulk'; readonly batch: number; readonly inFlight: number }
  | { readonly kind: 'perCall'; readonly producers: number };

/**
 * One engine under test, set up on its own scratch database / key prefix. The
 * scenarios drive every contender through these calls only, so each runs the
 * same shapes of work; handlers do nothing but what the scenario measures.
 */
export interface Contender {
  /** S1: start `count` one-step workflows and resolve once every one has completed, durably where the contender keeps a store. */
  runOneStep(count: number, mode: StartMode): Promise<void>;
  /** where its work is done, for what a run costs it (harness/costMeter.ts) */
  readonly cost: CostSources;
  /**
   * Runs one chain of `length` steps and resolves with the moment of the start
   * call followed by the moment each step's handler began, in milliseconds on
   * one clock (`performance.now()` in process; epoch ms across processes).
   */
  runChain(length: number): Promise<number[]>;
  /** 1 → width → 1: resolves when the join step has run after every middle step (flowline as shipped: once the run row says the run ended). */
  runFanOut(width: number): Promise<void>;
  /**
   * Starts `count` one-step workflows whose handlers do not return until
   * `release()`; resolves once all are started (durably accepted).
   * `release()` resolves once every one of them has finished.
   */
  holdInFlight(count: number, producers: number): Promise<{ release(): Promise<void> }>;
  /**
   * The memory S5 counts, in bytes, now: the resident set of the process(es)
   * holding the engine — the benchmark's own for a contender run in process.
   */
  residentBytes(): number;
  close(): Promise<void>;
}

export interface ContenderFactory {
  readonly name: string;
  /** true for the peers that keep jobs in Postgres (the S1/S2 targets compare against the best of these) */
  readonly postgresBacked: boolean;
  start(env: BenchEnvironment): Promise<Contender>;
}
