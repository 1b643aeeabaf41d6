import type { RunEvent } from '../core/runState.ts';

/**
 * The outputs of the nodes reported to have succeeded in a batch of events,
 * kept as JSON text: each child that takes one parses its own copy, equal to
 * what it would read from Postgres, so no child sees another's changes to it.
 * One per decision batch; it tells which parents' outputs a claim need not
 * read, and hands them to the children released or claimed there.
 */
export class ReportedOutputs {
  private readonly byNode = new Map<string, string>();

  constructor(reports: Iterable<{ readonly runUuid: string; readonly event: RunEvent }>) {
    for (const { runUuid, event } of reports) {
      if (event.type === 'NODE_SUCCEEDED') this.byNode.set(key(runUuid, event.node), JSON.stringify(event.outcome.output ?? null));
    }
  }

  has(runId: string, node: string): boolean {
    return this.byNode.has(key(runId, node));
  }

  /** A copy of the node's reported output; undefined when it was not reported here. */
  copy(runId: string, node: string): unknown {
    const text = this.byNode.get(key(runId, node));
    return text === undefined ? undefined : JSON.parse(text);
  }
}

const key = (runId: string, node: string) => `${runId}\0${node}`;
