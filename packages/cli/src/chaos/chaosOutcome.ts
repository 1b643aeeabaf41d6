/** One chaos scenario's result: one row of the table `pnpm chaos` prints. */
export interface ChaosOutcome {
  readonly scenario: string;
  readonly runs: number;
  readonly succeeded: number;
  readonly seconds: number;
  /** what recovery meant here, in a few words */
  readonly verdict: string;
  readonly passed: boolean;
}

export function outcome(scenario: string, started: number, runs: number, succeeded: number, verdict: string, passed: boolean): ChaosOutcome {
  return { scenario, runs, succeeded, seconds: Math.round((Date.now() - started) / 100) / 10, verdict, passed };
}
