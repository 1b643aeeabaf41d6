import type { ChildRunRequest } from './childRunRequest.ts';

/**
 * What a node handler is given. `Input` is the run's input as its workflow's
 * schema parsed it (`defineWorkflow({ input })`); `Parents` the outputs of the
 * node's parents by name, typed when the workflow is built with `.node()`.
 */
export interface NodeContext<Input = unknown, Parents extends object = Record<string, unknown>> {
  /** 22-char run id */
  readonly runId: string;
  /** 22-char node id */
  readonly nodeId: string;
  readonly workflow: string;
  readonly node: string;
  readonly attempt: number;
  readonly bizId: string;
  /** the run's input */
  readonly input: Input;
  /** the node's static parameters */
  readonly params: Record<string, unknown>;
  /** each parent's output under its name */
  readonly parents: Parents;
  /** a map element's item: its element of the list its map is over (`map: { over }`); undefined on any other node */
  readonly item: unknown;
  /** a map element's index in that list; undefined on any other node */
  readonly index: number | undefined;
  /** aborted on cancel or timeout; a handler should stop promptly */
  readonly signal: AbortSignal;
  /**
   * Stable per node attempt (`<nodeId>:<attempt>`): pass it to external systems
   * so a side effect repeated after a crash is applied once.
   */
  readonly idempotencyKey: string;
  /** Appends a line to the node's result text (the TiEM `result`). */
  log(line: string): void;
  /**
   * A run of another workflow for this node to wait for: `return
   * ctx.startChild('Backup', { cluster })` and the node ends as that run
   * does, with its output, without holding a worker slot while it runs.
   */
  startChild(workflow: string, input?: Record<string, unknown>): ChildRunRequest;
}

/** A node's work. Its return value is the node's output, handed to its children. */
export type NodeHandler<Input = unknown, Parents extends object = Record<string, unknown>, Output = unknown> = (
  ctx: NodeContext<Input, Parents>,
) => Promise<Output>;
