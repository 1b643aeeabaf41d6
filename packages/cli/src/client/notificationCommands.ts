import { Command } from 'commander';
import { clientContext, withClientOptions } from './clientContext.ts';
import { formatTime, renderTable } from './table.ts';

/** `flowline runs notifications <id>`: what the run's webhooks were told, and how each delivery went. */
export function addNotificationCommand(runs: Command): void {
  withClientOptions(runs.command('notifications'))
    .description("a run's webhook deliveries: event, receiver, status, attempts, last error")
    .argument('<id>', 'run id')
    .action(async (id: string, _options: unknown, command: Command) => {
      const ctx = clientContext(command);
      const { items } = await ctx.client.runNotifications(id);
      if (ctx.json) return ctx.printJson(items);
      const rows = items.map((d) => [d.event, d.url, d.status, String(d.attempts), formatTime(d.deliveredAt ?? d.nextAttemptAt), d.lastError?.split('\n')[0] ?? '', d.id]);
      ctx.print(rows.length ? renderTable(['EVENT', 'WEBHOOK', 'STATUS', 'ATTEMPTS', 'DELIVERED / NEXT (UTC)', 'LAST ERROR', 'EVENT ID'], rows) : 'no notifications');
    });
}
