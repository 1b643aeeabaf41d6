import type { BackfillView } from '@flowline/client';
import { Command, InvalidArgumentError } from 'commander';
import { clientContext, withClientOptions } from './clientContext.ts';
import { isoTime } from './optionValues.ts';
import { watchProgress } from './progressWatch.ts';
import { formatTime, progressBar } from './table.ts';

function concurrency(value: string): number {
  const n = Number(value);
  if (!Number.isInteger(n) || n < 1 || n > 100) throw new InvalidArgumentError('expected 1 to 100');
  return n;
}

const progressLine = (b: BackfillView) =>
  `${progressBar(b.started + b.skipped, b.total)} ${b.started + b.skipped}/${b.total} fire times  (${b.started} started, ${b.skipped} already in the ledger)  ${b.status}${b.nextFireTime ? `  next ${formatTime(b.nextFireTime)} UTC` : ''}`;

/**
 * `flowline schedules backfill <id> --from --to`: runs a schedule's fire times
 * of a past range that its ledger lacks, followed with a progress bar; and
 * `schedules backfill-cancel <backfill id>`.
 */
export function addBackfillCommands(schedules: Command): void {
  withClientOptions(schedules.command('backfill'))
    .description('run the fire times of a past range [from, to) that the ledger has no row for: one run each, recorded BACKFILL')
    .argument('<id>', 'schedule id')
    .requiredOption('--from <time>', 'the first instant of the range (ISO 8601)', isoTime)
    .requiredOption('--to <time>', 'the end of the range, exclusive, not after now (ISO 8601)', isoTime)
    .option('-c, --max-concurrent <n>', "the backfill's runs going at once, at most (default 10)", concurrency)
    .option('--no-wait', 'return once the backfill is asked for, without following it')
    .action(async (id: string, options: { from: string; to: string; maxConcurrent?: number; wait: boolean }, command: Command) => {
      const ctx = clientContext(command);
      const started = await ctx.client.backfillSchedule(id, {
        from: options.from,
        to: options.to,
        ...(options.maxConcurrent === undefined ? {} : { maxConcurrent: options.maxConcurrent }),
      });
      const backfill = options.wait
        ? await watchProgress(() => ctx.client.backfill(started.id), {
            intervalMs: 250,
            live: !ctx.json && process.stdout.isTTY === true,
            write: (text) => (ctx.json ? undefined : process.stdout.write(text)),
            line: progressLine,
            done: (b) => b.status !== 'RUNNING',
          })
        : started;
      if (ctx.json) return ctx.printJson(backfill);
      ctx.print(
        `backfill ${backfill.id} of schedule ${backfill.scheduleId} ${backfill.status}: ${backfill.started} runs started, ${backfill.skipped} fire times already in the ledger, of ${backfill.total} in ${formatTime(backfill.from)} – ${formatTime(backfill.to)} UTC`,
      );
    });

  withClientOptions(schedules.command('backfill-cancel'))
    .description('stop a running backfill; the runs it started go on')
    .argument('<backfill>', 'backfill id')
    .action(async (id: string, _options: unknown, command: Command) => {
      const ctx = clientContext(command);
      const backfill = await ctx.client.cancelBackfill(id);
      if (ctx.json) return ctx.printJson(backfill);
      ctx.print(`backfill ${backfill.id} ${backfill.status} after ${backfill.started} runs started`);
    });
}
