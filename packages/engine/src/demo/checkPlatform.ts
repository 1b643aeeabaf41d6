import { defineWorkflow } from '../definitions/defineWorkflow.ts';

/**
 * The demo nightly CheckPlatform of the TiEM seed (scheduled `0 0 23 * * ?`,
 * 23:00 in the display zone): checks the platform's parts in parallel and
 * joins them into one report.
 */
export const CheckPlatform = defineWorkflow({
  name: 'CheckPlatform',
  description: 'Nightly platform health check (demo)',
  schedules: [{ name: 'nightly', expression: '0 0 23 * * ?' }],
  nodes: [
    {
      name: 'checkClusters',
      description: 'checks every cluster (demo)',
      run: async (ctx) => {
        ctx.log('check clusters: all healthy');
        return { clusters: 'ok' };
      },
    },
    {
      name: 'checkHosts',
      description: 'checks every host (demo)',
      run: async (ctx) => {
        ctx.log('check hosts: all reachable');
        return { hosts: 'ok' };
      },
    },
    {
      name: 'buildReport',
      description: 'builds the check report from both checks (demo)',
      dependsOn: ['checkClusters', 'checkHosts'],
      run: async (ctx) => {
        ctx.log(`build check report ${ctx.bizId}`);
        return { report: ctx.bizId, ...(ctx.parents.checkClusters as object), ...(ctx.parents.checkHosts as object) };
      },
    },
    { name: 'end', type: 'noop', dependsOn: ['buildReport'] },
  ],
});
