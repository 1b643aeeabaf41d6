import type { BenchEnvironment } from '../harness/benchEnvironment.ts';

/**
 * One engine under test, set up on its own scratch database / key prefix. The
 * scenarios drive every contender through these calls only, so each runs the
 * same shapes of work; handlers do nothing but what the scenario measures.
 */
export interface Contender {
  /** Starts `count` one-step workflows, `producers` start calls in flight at once; resolves when all completed. */
  runOneStep(count: number, producers: number): Promise<void>;
  /**
   * Runs one chain of `length` steps and resolves with `performance.now()` at
   * the start call followed by the moment each step's handler began.
   */
  runChain(length: number): Promise<number[]>;
  /** 1 → width → 1: resolves when the join step has run after every middle step. */
  runFanOut(width: number): Promise<void>;
  /**
   * Starts `count` one-step workflows whose handlers do not return until
   * `release()`; resolves once all are started (durably accepted).
   * `release()` resolves once every one of them has finished.
   */
  holdInFlight(count: number, producers: number): Promise<{ release(): Promise<void> }>;
  close(): Promise<void>;
}

export interface ContenderFactory {
  readonly name: string;
  /** true for the peers that keep jobs in Postgres (the S1/S2 targets compare against the best of these) */
  readonly postgresBacked: boolean;
  start(env: BenchEnvironment): Promise<Contender>;
}
