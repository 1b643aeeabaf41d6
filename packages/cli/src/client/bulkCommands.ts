import type { BulkAction, BulkOperationView, BulkRunFilter } from '@flowline/client';
import { Command } from 'commander';
import { clientContext, withClientOptions, type ClientContext } from './clientContext.ts';
import { CliFailure, ExitCode } from './exitCode.ts';
import { isoTime, positiveInteger } from './optionValues.ts';
import { watchProgress } from './progressWatch.ts';
import { progressBar } from './table.ts';

const DESCRIPTIONS: Record<BulkAction, string> = {
  cancel: 'cancel runs: pending nodes are cancelled, running handlers aborted',
  rerun: 'rerun failed or cancelled runs from their failed nodes',
  resume: 'resume suspended runs',
};

const DONE_WORDS: Record<BulkAction, string> = { cancel: 'cancelled', rerun: 'reran', resume: 'resumed' };

interface BulkOptions {
  workflow?: string;
  status?: string;
  bizType?: string;
  from?: string;
  to?: string;
  yes: boolean;
  wait: boolean;
  interval: number;
}

/** The filter the options name; undefined when they name none. */
function filterOf(options: BulkOptions): BulkRunFilter | undefined {
  const filter: BulkRunFilter = {
    ...(options.workflow ? { workflow: options.workflow } : {}),
    ...(options.status ? { status: options.status } : {}),
    ...(options.bizType ? { bizType: options.bizType } : {}),
    ...(options.from ? { from: options.from } : {}),
    ...(options.to ? { to: options.to } : {}),
  };
  return Object.keys(filter).length ? filter : undefined;
}

const progressLine = (op: BulkOperationView) =>
  `${progressBar(op.processed, op.total)} ${op.processed}/${op.total} runs  (${op.succeeded} ${DONE_WORDS[op.action]}, ${op.skipped} skipped, ${op.failed} failed)  ${op.status}`;

/** Follows a bulk operation to its end, then prints its summary; exit 1 when some run failed. */
async function followBulk(ctx: ClientContext, started: BulkOperationView, options: BulkOptions): Promise<void> {
  const op = options.wait
    ? await watchProgress(() => ctx.client.bulkOperation(started.id), {
        intervalMs: options.interval,
        live: !ctx.json && process.stdout.isTTY === true,
        write: (text) => (ctx.json ? undefined : process.stdout.write(text)),
        line: progressLine,
        done: (o) => o.status !== 'RUNNING',
      })
    : started;
  if (ctx.json) return ctx.printJson(op);
  if (!options.wait) return ctx.print(`bulk ${op.action} ${op.id} asked for ${op.total} runs; follow it: GET /v1/bulk-operations/${op.id}`);
  const took = op.finishedAt ? ` in ${((Date.parse(op.finishedAt) - Date.parse(op.createdAt)) / 1000).toFixed(1)} s` : '';
  ctx.print(`${DONE_WORDS[op.action]} ${op.succeeded} of ${op.total} runs${took}: ${op.skipped} skipped (not applicable), ${op.failed} failed  [operation ${op.id}, ${op.status}]`);
  for (const e of op.errors) ctx.print(`  ${e.runId}  ${e.code}: ${e.message}`);
  if (op.failed > 0) throw new CliFailure(`${op.failed} runs failed`, ExitCode.FAILURE);
}

/**
 * `flowline runs cancel|rerun|resume`: one run by id, as before; several ids,
 * or every run a filter selects, as one bulk operation followed with a
 * progress bar to its summary. A filter asks for `--yes`: it may reach
 * thousands of runs.
 */
export function addBulkRunCommands(runs: Command): void {
  for (const action of ['cancel', 'rerun', 'resume'] as const) {
    withClientOptions(runs.command(action))
      .description(`${DESCRIPTIONS[action]}: by id(s), or every run a filter selects (a bulk operation)`)
      .argument('[ids...]', 'run ids (one: at once; several, up to 1,000: as a bulk operation)')
      .option('-w, --workflow <name>', 'every run of this workflow (with the other filters)')
      .option('-s, --status <statuses>', 'every run in these statuses, e.g. FAIL,TIMEOUT')
      .option('--biz-type <type>', 'every run of this business type')
      .option('--from <time>', 'every run created at or after this time', isoTime)
      .option('--to <time>', 'every run created before this time', isoTime)
      .option('-y, --yes', 'confirm an operation over every run a filter selects', false)
      .option('--no-wait', 'return once the operation is asked for, without following it')
      .option('--interval <ms>', 'poll interval while following', positiveInteger, 250)
      .action(async (ids: string[], options: BulkOptions, command: Command) => {
        const filter = filterOf(options);
        if (filter && ids.length) throw new CliFailure('give run ids or a filter, not both', ExitCode.USAGE);
        if (!filter && ids.length === 0) throw new CliFailure('give run ids, or a filter (--workflow, --status, --biz-type, --from, --to)', ExitCode.USAGE);
        if (filter && !options.yes) {
          throw new CliFailure(`this would ${action} every run matching ${JSON.stringify(filter)}; add --yes to go ahead`, ExitCode.USAGE);
        }
        const ctx = clientContext(command);
        if (ids.length === 1 && !filter) {
          const run = action === 'cancel' ? await ctx.client.cancel(ids[0]!) : action === 'rerun' ? await ctx.client.rerun(ids[0]!) : await ctx.client.resume(ids[0]!);
          if (ctx.json) return ctx.printJson(run);
          return ctx.print(`${action === 'cancel' ? 'cancel requested for' : action === 'rerun' ? 'rerunning' : 'resumed'} run ${run.id}: ${run.status}`);
        }
        const started = await ctx.client.bulk(action, filter ? { filter } : { ids });
        await followBulk(ctx, started, options);
      });
  }
}
