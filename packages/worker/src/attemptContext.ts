import { ChildRunRequest, parseElement, uuidToShortId, type ClaimedNode, type NodeContext } from '@flowline/engine';
import type { AttemptAbort } from './attemptAbort.ts';

/**
 * What one attempt's handler is given: a view of its claim. A class rather
 * than an object literal with getters: a 10,000-wide fan-out makes 10,000 of
 * these, and the literal made five closures each. The ids in their 22-char
 * form and the signal are made when the handler reads them; most never do.
 */
export class AttemptContext implements NodeContext {
  /** bound, so a handler may pass it on alone */
  readonly log: (line: string) => void;

  constructor(
    private readonly claimed: ClaimedNode,
    readonly parents: Record<string, unknown>,
    private readonly abort: AttemptAbort,
    lines: string[],
  ) {
    this.log = lines.push.bind(lines);
  }

  get runId(): string {
    return uuidToShortId(this.claimed.runId);
  }

  get nodeId(): string {
    return uuidToShortId(this.claimed.nodeId);
  }

  get workflow(): string {
    return this.claimed.workflowName;
  }

  get node(): string {
    return this.claimed.name;
  }

  get attempt(): number {
    return this.claimed.attempt;
  }

  get bizId(): string {
    return this.claimed.bizId;
  }

  get input(): unknown {
    return this.claimed.input;
  }

  get params(): Record<string, unknown> {
    return this.claimed.parameters;
  }

  get item(): unknown {
    return this.index === undefined ? undefined : this.claimed.item;
  }

  get index(): number | undefined {
    return parseElement(this.claimed.name)?.index;
  }

  get signal(): AbortSignal {
    return this.abort.signal;
  }

  get idempotencyKey(): string {
    return `${this.nodeId}:${this.attempt}`;
  }

  startChild(workflow: string, input?: Record<string, unknown>): ChildRunRequest {
    return new ChildRunRequest(workflow, input);
  }
}
