import type { NodeContext } from '../handlers/nodeHandler.ts';

/**
 * A handler's context with the run's input as its workflow's zod schema
 * parsed it (defaults applied, transforms run), everything else the worker's
 * own context. It delegates rather than copies: most handlers read a few
 * fields, and the worker's context makes ids and the signal only when read.
 */
export class ParsedInputContext<Input> implements NodeContext<Input> {
  /** bound, so a handler may pass it on alone */
  readonly log: (line: string) => void;

  constructor(
    private readonly inner: NodeContext,
    readonly input: Input,
  ) {
    this.log = (line) => inner.log(line);
  }

  get runId(): string {
    return this.inner.runId;
  }

  get nodeId(): string {
    return this.inner.nodeId;
  }

  get workflow(): string {
    return this.inner.workflow;
  }

  get node(): string {
    return this.inner.node;
  }

  get attempt(): number {
    return this.inner.attempt;
  }

  get bizId(): string {
    return this.inner.bizId;
  }

  get params(): Record<string, unknown> {
    return this.inner.params;
  }

  get parents(): Record<string, unknown> {
    return this.inner.parents;
  }

  get signal(): AbortSignal {
    return this.inner.signal;
  }

  get idempotencyKey(): string {
    return this.inner.idempotencyKey;
  }
}
