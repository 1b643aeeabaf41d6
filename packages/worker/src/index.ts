export { NodeWorker, type NodeWorkerOptions } from './nodeWorker.ts';
/** Thrown by a handler to fail its node at once, its retries left unused (re-exported from @flowline/engine). */
export { NonRetryableError } from '@flowline/engine';
