/**
 * Values by node attempt, found by run, then node, then attempt: no key string
 * per lookup, where the root decision of a 10,000-wide fan-out looks up every
 * child's attempt twice (is it claimed, what are its facts).
 */
export class AttemptMap<T> {
  private readonly byRun = new Map<string, Map<string, { readonly attempt: number; readonly value: T }>>();

  set(runId: string, node: string, attempt: number, value: T): this {
    let nodes = this.byRun.get(runId);
    if (!nodes) this.byRun.set(runId, (nodes = new Map()));
    nodes.set(node, { attempt, value });
    return this;
  }

  get(runId: string, node: string, attempt: number): T | undefined {
    const entry = this.byRun.get(runId)?.get(node);
    return entry?.attempt === attempt ? entry.value : undefined;
  }
}
