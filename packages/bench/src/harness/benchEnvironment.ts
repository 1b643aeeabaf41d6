/** Where the contenders run and how big the scenarios are. */
export interface BenchEnvironment {
  /** a server URL with rights to create databases; each contender gets a scratch one */
  readonly databaseUrl: string;
  readonly redisUrl: string;
  readonly scale: BenchScale;
}

export interface BenchScale {
  readonly repetitions: number;
  /** S1 bulk: one-step workflows started (1,000 a call) and completed */
  readonly throughputRuns: number;
  /**
   * S1 per call: one-step workflows started one a call and completed. Fewer
   * than in bulk: the Postgres peers commit each such start on its own (~150–
   * 400 a second on this machine), and a run must stay within minutes.
   */
  readonly perCallRuns: number;
  /** S1 per call, S5: starters in flight at once (each contender's own start call) */
  readonly producers: number;
  /** S2: chain length and how many chains, one at a time */
  readonly chainLength: number;
  readonly chains: number;
  /** S3: fan-out widths (1 → width → 1) */
  readonly fanOutWidths: readonly number[];
  /** S4: runs in history, requests per query */
  readonly historyRuns: number;
  readonly historyRequests: number;
  /** S5: runs in flight while RSS is sampled */
  readonly inFlightRuns: number;
}

/** The sizes. */
export const FULL_SCALE: BenchScale = {
  repetitions: 3,
  throughputRuns: 20_000,
  perCallRuns: 2_000,
  producers: 64,
  chainLength: 10,
  chains: 200,
  fanOutWidths: [1_000, 10_000],
  historyRuns: 1_000_000,
  historyRequests: 200,
  inFlightRuns: 20_000,
};

/** Small enough that every scenario, every contender, three times, fits in under five minutes on 2 cores. */
export const QUICK_SCALE: BenchScale = {
  repetitions: 3,
  throughputRuns: 1_000,
  perCallRuns: 300,
  producers: 64,
  chainLength: 10,
  chains: 20,
  fanOutWidths: [1_000],
  historyRuns: 100_000,
  historyRequests: 30,
  inFlightRuns: 1_000,
};
