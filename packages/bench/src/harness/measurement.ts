import type { Spread } from './stats.ts';

/** Which way a metric improves; the report's ratio is always flowline ÷ peer. */
export const Better = { HIGHER: 'higher', LOWER: 'lower' } as const;
export type Better = (typeof Better)[keyof typeof Better];

/** One metric of one contender in one scenario: a sample per repetition (empty: not applicable). */
export interface Measurement {
  readonly scenario: string;
  readonly metric: string;
  readonly unit: string;
  readonly better: Better;
  readonly contender: string;
  /** whether the contender keeps its work in Postgres: the report compares flowline with the best of these */
  readonly postgresBacked?: boolean;
  readonly samples: readonly number[];
  readonly spread?: Spread;
  /** why there are no samples (a dialect not in this tree yet) */
  readonly note?: string;
}

/** A metric as a scenario declares it, before any contender was measured. */
export interface MetricSpec {
  readonly metric: string;
  readonly unit: string;
  readonly better: Better;
}
