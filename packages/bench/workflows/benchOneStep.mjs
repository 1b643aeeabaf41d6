// The one-step workflow S1 starts in `flowline (shipped)`: loaded by `flowline worker --workflows`
// from plain JavaScript, as a user's compiled module would be, with the engine's built dist.
import { defineWorkflow } from '@flowline/engine';

export const benchOneStep = defineWorkflow({ name: 'bench_one_step', nodes: [{ name: 'step', run: async () => null }] });
