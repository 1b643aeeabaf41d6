import type { WorkflowDefinition } from '@flowline/engine';

/** Whether a value is a workflow made by `defineWorkflow`: a spec with a name and nodes, and its handlers. */
export function isWorkflowDefinition(value: unknown): value is WorkflowDefinition {
  if (typeof value !== 'object' || value === null) return false;
  const { spec, handlers } = value as Partial<WorkflowDefinition>;
  return typeof spec?.name === 'string' && Array.isArray(spec.nodes) && handlers instanceof Map;
}

/**
 * The workflows a module exports (`flowline worker --workflows <module>`):
 * every export made by `defineWorkflow`, the default export included, each
 * once; anything else the module exports is ignored.
 */
export function workflowsOf(module: Record<string, unknown>): WorkflowDefinition[] {
  return [...new Set(Object.values(module).filter(isWorkflowDefinition))];
}
