/**
 * How long finished runs are kept, measured from their end time. Live runs
 * are never touched, however old.
 */
export interface RetentionPolicy {
  /** runs of workflows without an age of their own are deleted past this; undefined keeps them forever */
  readonly maxAgeMs?: number;
  /** per workflow name: its own age, shorter or longer than the default */
  readonly byWorkflow: Readonly<Record<string, number>>;
}

/** One deletion a policy asks for: runs of `workflow` (or of every workflow not in `excluded`) ended before `endedBefore`. */
export interface RetentionRule {
  readonly workflow?: string;
  readonly excluded: readonly string[];
  readonly endedBefore: Date;
}

/**
 * The deletions a policy asks for at `now`: one rule per workflow with its own
 * age, and one for all the others. A workflow with its own age is excluded
 * from the default rule, so a longer age of its own really keeps its runs.
 */
export function retentionRules(policy: RetentionPolicy, now: Date): RetentionRule[] {
  const before = (ageMs: number) => new Date(now.getTime() - ageMs);
  const own = Object.keys(policy.byWorkflow);
  const rules: RetentionRule[] = own.map((workflow) => ({ workflow, excluded: [], endedBefore: before(policy.byWorkflow[workflow]!) }));
  if (policy.maxAgeMs !== undefined) rules.push({ excluded: own, endedBefore: before(policy.maxAgeMs) });
  return rules;
}
