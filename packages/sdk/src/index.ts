/**
 * @flowline/sdk — flowline for your own code: define workflows whose nodes
 * are your functions, with a typed and validated input (`defineWorkflow`);
 * run their handlers in your own process (`createWorker`) or with
 * `flowline worker --workflows <module>`; start and watch runs from any
 * service (`FlowlineClient`). Each export is documented where it is declared.
 */
export {
  defineWorkflow,
  type Workflow,
  type WorkflowDefinition,
  type WorkflowOptions,
  type WorkflowInput,
  type InputSchema,
  type NodeOptions,
  type ParentOutputs,
  type CodeNodeInput,
  type CodeHandler,
  type NodeContext,
  type NodeHandler,
  type ScheduleSpecInput,
  NonRetryableError,
  type NodeRetryPolicy,
} from '@flowline/engine';
export { createWorker, type CreateWorkerOptions, type FlowlineWorker } from './createWorker.ts';
export { isWorkflowDefinition, workflowsOf } from './workflowModule.ts';
export * from '@flowline/client';
/**
 * zod, which `defineWorkflow({ input })` takes its schemas from: the copy this
 * SDK is built with (`import { defineWorkflow, z } from '@flowline/sdk'`).
 */
export { z } from 'zod';
