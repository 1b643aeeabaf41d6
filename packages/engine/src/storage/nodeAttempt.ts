/** The address of one attempt of one node of a run (`runId` is the uuid). */
export interface NodeAttempt {
  readonly runId: string;
  readonly node: string;
  readonly attempt: number;
}
