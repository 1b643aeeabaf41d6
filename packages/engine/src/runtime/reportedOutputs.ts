import type { RunEvent } from '../core/runState.ts';

/**
 * The outputs of the nodes reported to have succeeded in a batch of events,
 * kept as JSON text: each child that takes one parses its own copy, equal to
 * what it would read from Postgres, so no child sees another's changes to it.
 * One per decision batch; it tells which parents' outputs a claim need not
 * read, and hands them to the children released or claimed there.
 */
export class ReportedOutputs {
  /** by run, then node: no key string per lookup, which a 10,000-wide fan-out's root decision makes 20,000 of */
  private readonly byRun = new Map<string, Map<string, string>>();

  constructor(reports: Iterable<{ readonly runUuid: string; readonly event: RunEvent }>) {
    for (const { runUuid, event } of reports) {
      if (event.type !== 'NODE_SUCCEEDED') continue;
      let outputs = this.byRun.get(runUuid);
      if (!outputs) this.byRun.set(runUuid, (outputs = new Map()));
      outputs.set(event.node, JSON.stringify(event.outcome.output ?? null));
    }
  }

  has(runId: string, node: string): boolean {
    return this.byRun.get(runId)?.has(node) ?? false;
  }

  /** A copy of the node's reported output; undefined when it was not reported here. */
  copy(runId: string, node: string): unknown {
    const text = this.byRun.get(runId)?.get(node);
    return text === undefined ? undefined : JSON.parse(text);
  }
}
