/**
 * What `ctx.startChild()` answers, for a handler to return: the node then
 * hands its wait to the engine — it stays RUNNING with no worker while a run
 * of `workflow` (started with `input`, in the node's run's org) goes on, and
 * ends as that run does, its output the child's. A class, so the worker
 * tells it from any output a handler returns.
 */
export class ChildRunRequest {
  constructor(
    readonly workflow: string,
    readonly input: Record<string, unknown> = {},
  ) {}
}
