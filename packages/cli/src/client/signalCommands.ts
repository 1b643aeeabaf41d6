import type { SentSignal } from '@flowline/client';
import { Command, InvalidArgumentError } from 'commander';
import { clientContext, withClientOptions, type ClientContext } from './clientContext.ts';

function jsonValue(value: string): unknown {
  try {
    return JSON.parse(value) as unknown;
  } catch {
    throw new InvalidArgumentError('expected JSON, e.g. \'{"version":"1.2.3"}\'');
  }
}

function printSent(ctx: ClientContext, sent: SentSignal, what: string): void {
  if (ctx.json) return ctx.printJson(sent);
  ctx.print(sent.deliveredTo ? `${what}: taken by node ${sent.deliveredTo}` : `${what}: kept until a node waiting for it is reached`);
}

/**
 * `flowline runs signal|approve|reject`: a signal for a run's `wait` nodes
 * (kept until one is reached), and an approval node's decision, recorded
 * with the caller's name and the time.
 */
export function addSignalCommands(runs: Command): void {
  withClientOptions(runs.command('signal'))
    .description("send a signal to a run: a wait node waiting for its name takes it (the payload is the node's output), or it is kept until one is reached")
    .argument('<id>', 'run id')
    .argument('<name>', "signal name (a wait node's params.signal, else its node name)")
    .option('-p, --payload <json>', 'the payload, any JSON value', jsonValue)
    .action(async (id: string, name: string, options: { payload?: unknown }, command: Command) => {
      const ctx = clientContext(command);
      printSent(ctx, await ctx.client.signal(id, name, options.payload ?? null), `signal ${name} sent to run ${id}`);
    });

  withClientOptions(runs.command('approve'))
    .description('approve an approval node waiting for its decision')
    .argument('<id>', 'run id')
    .argument('<node>', 'the approval node')
    .option('-r, --reason <text>', 'why, as the node output records it')
    .action(async (id: string, node: string, options: { reason?: string }, command: Command) => {
      const ctx = clientContext(command);
      printSent(ctx, await ctx.client.approve(id, node, options.reason), `node ${node} of run ${id} approved`);
    });

  withClientOptions(runs.command('reject'))
    .description('reject an approval node waiting for its decision: it fails with the reason')
    .argument('<id>', 'run id')
    .argument('<node>', 'the approval node')
    .requiredOption('-r, --reason <text>', "why: the failed node's error")
    .action(async (id: string, node: string, options: { reason: string }, command: Command) => {
      const ctx = clientContext(command);
      printSent(ctx, await ctx.client.reject(id, node, options.reason), `node ${node} of run ${id} rejected`);
    });
}
