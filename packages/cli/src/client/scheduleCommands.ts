import type { ScheduleView } from '@flowline/client';
import { Command, InvalidArgumentError } from 'commander';
import { addBackfillCommands } from './backfillCommands.ts';
import { clientContext, withClientOptions } from './clientContext.ts';
import { formatTime, renderTable } from './table.ts';

/** The preview size the API accepts (MAX_PREVIEW). */
const MAX_PREVIEW = 100;

function previewCount(value: string): number {
  const n = Number(value);
  if (!Number.isInteger(n) || n < 1 || n > MAX_PREVIEW) throw new InvalidArgumentError(`expected 1 to ${MAX_PREVIEW}`);
  return n;
}

function scheduleRows(items: readonly ScheduleView[]): string[][] {
  return items.map((s) => [String(s.id), s.workflow, s.name, s.expression, s.timeZone, s.paused ? 'paused' : 'active', formatTime(s.nextFireTime), s.lastRunId ?? '-']);
}

/** `flowline schedules list|preview|firings|pause|resume|backfill|backfill-cancel`. */
export function scheduleCommands(): Command {
  const schedules = new Command('schedules').description('cron schedules and their firing ledger');

  withClientOptions(schedules.command('list'))
    .description("list your org's schedules")
    .option('-w, --workflow <name>', 'only the schedules of this workflow')
    .action(async (options: { workflow?: string }, command: Command) => {
      const ctx = clientContext(command);
      const { items } = await ctx.client.schedules(options.workflow);
      if (ctx.json) return ctx.printJson(items);
      ctx.print(items.length ? renderTable(['ID', 'WORKFLOW', 'NAME', 'EXPRESSION', 'ZONE', 'STATE', 'NEXT FIRE (UTC)', 'LAST RUN'], scheduleRows(items)) : 'no schedules');
    });

  withClientOptions(schedules.command('preview'))
    .description('the next fire times of a schedule')
    .argument('<id>', 'schedule id')
    .option('-n, --count <n>', 'how many', previewCount, 10)
    .action(async (id: string, options: { count: number }, command: Command) => {
      const ctx = clientContext(command);
      const preview = await ctx.client.previewSchedule(id, options.count);
      if (ctx.json) return ctx.printJson(preview);
      ctx.print(`schedule ${preview.scheduleId}: ${preview.expression} in ${preview.timeZone}`);
      ctx.print(renderTable(['UTC', 'LOCAL'], preview.fireTimes.map((t) => [formatTime(t.at), t.local])));
    });

  withClientOptions(schedules.command('firings'))
    .description("a schedule's firing ledger, newest first")
    .argument('<id>', 'schedule id')
    .action(async (id: string, _options: unknown, command: Command) => {
      const ctx = clientContext(command);
      const page = await ctx.client.firings(id);
      if (ctx.json) return ctx.printJson(page);
      const rows = page.items.map((f) => [formatTime(f.fireTime), f.outcome, f.runId ?? '-', `${f.delayMs} ms`, f.replica]);
      ctx.print(rows.length ? renderTable(['FIRE TIME (UTC)', 'OUTCOME', 'RUN', 'DELAY', 'REPLICA'], rows) : 'no firings yet');
    });

  for (const operation of ['pause', 'resume'] as const) {
    withClientOptions(schedules.command(operation))
      .description(operation === 'pause' ? 'pause a schedule: nothing fires until resume' : 'resume a schedule from its next fire time after now')
      .argument('<id>', 'schedule id')
      .action(async (id: string, _options: unknown, command: Command) => {
        const ctx = clientContext(command);
        const schedule = operation === 'pause' ? await ctx.client.pauseSchedule(id) : await ctx.client.resumeSchedule(id);
        if (ctx.json) return ctx.printJson(schedule);
        ctx.print(`schedule ${schedule.id} (${schedule.workflow}/${schedule.name}) ${schedule.paused ? 'paused' : `active, next fire ${formatTime(schedule.nextFireTime)} UTC`}`);
      });
  }

  addBackfillCommands(schedules);
  return schedules;
}
