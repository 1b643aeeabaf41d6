/** What a node handler is given. */
export interface NodeContext {
  /** 22-char run id */
  readonly runId: string;
  /** 22-char node id */
  readonly nodeId: string;
  readonly workflow: string;
  readonly node: string;
  readonly attempt: number;
  readonly bizId: string;
  /** the run's input */
  readonly input: unknown;
  /** the node's static parameters, with each parent's output under its name in `parents` */
  readonly params: Record<string, unknown>;
  readonly parents: Record<string, unknown>;
  /** aborted on cancel or timeout; a handler should stop promptly */
  readonly signal: AbortSignal;
  /**
   * Stable per node attempt (`<nodeId>:<attempt>`): pass it to external systems
   * so a side effect repeated after a crash is applied once.
   */
  readonly idempotencyKey: string;
  /** Appends a line to the node's result text (the TiEM `result`). */
  log(line: string): void;
}

/** A node's work. Its return value is the node's output, handed to its children. */
export type NodeHandler = (ctx: NodeContext) => Promise<unknown>;
