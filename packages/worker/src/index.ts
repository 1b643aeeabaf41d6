export { NodeWorker, type NodeWorkerOptions } from './nodeWorker.ts';
