import type { RunStatus, RunSummary, RunView } from '@flowline/client';
import { Command, InvalidArgumentError } from 'commander';
import { addBulkRunCommands } from './bulkCommands.ts';
import { clientContext, withClientOptions, type ClientContext } from './clientContext.ts';
import { addNotificationCommand } from './notificationCommands.ts';
import { addSignalCommands } from './signalCommands.ts';
import { CliFailure, ExitCode } from './exitCode.ts';
import { integer, positiveInteger } from './optionValues.ts';
import { readStartFile } from './startFile.ts';
import { watchRun } from './runWatch.ts';
import { formatDuration, formatTime, renderTable } from './table.ts';

function jsonObject(value: string): Record<string, unknown> {
  try {
    const parsed: unknown = JSON.parse(value);
    if (parsed && typeof parsed === 'object' && !Array.isArray(parsed)) return parsed as Record<string, unknown>;
  } catch {
    // reported below, with what was expected
  }
  throw new InvalidArgumentError('expected a JSON object, e.g. \'{"cluster":"c1"}\'');
}

function runRows(runs: readonly RunSummary[]): string[][] {
  return runs.map((r) => [r.id, r.workflow, r.cancelRequested && !r.endTime ? `${r.status}*` : r.status, r.bizId, formatTime(r.startTime ?? r.createdAt), formatDuration(r.startTime, r.endTime)]);
}

function printRun(ctx: ClientContext, run: RunView, withResults: boolean): void {
  if (ctx.json) return ctx.printJson(run);
  ctx.print(`run ${run.id}  ${run.workflow} v${run.definitionVersion}  ${run.status}${run.cancelRequested && !run.endTime ? ' (cancel requested)' : ''}`);
  ctx.print(`biz ${run.bizType ? `${run.bizType}/` : ''}${run.bizId}  started ${formatTime(run.startTime ?? run.createdAt)}  took ${formatDuration(run.startTime, run.endTime)}\n`);
  const rows = run.nodes.map((n) => [
    n.name,
    n.type,
    n.status,
    String(n.attempt),
    formatTime(n.startedAt),
    formatDuration(n.startedAt, n.endedAt),
    n.waitingFor ? `waiting for ${n.waitingFor}` : (n.error?.split('\n')[0] ?? ''),
  ]);
  ctx.print(renderTable(['NODE', 'TYPE', 'STATUS', 'ATTEMPT', 'STARTED', 'TOOK', 'ERROR / WAITING FOR'], rows));
  const links = [
    ...(run.parentRunId ? [`started by run ${run.parentRunId} (node ${run.parentNode ?? ''})`] : []),
    ...run.children.map((c) => `child run ${c.runId} (node ${c.node}, attempt ${c.attempt})`),
  ];
  if (links.length > 0) ctx.print(`\n${links.join('\n')}`);
  if (withResults) {
    for (const n of run.nodes.filter((node) => node.result)) ctx.print(`\n--- ${n.name}\n${n.result.trimEnd()}`);
  }
}

/** Watches a run to its end; the exit code says whether it succeeded. */
async function watchToEnd(ctx: ClientContext, id: string, intervalMs: number): Promise<void> {
  const live = !ctx.json && process.stdout.isTTY === true;
  const run = await watchRun(ctx.client, id, { intervalMs, live, write: (text) => (ctx.json ? undefined : process.stdout.write(text)) });
  if (ctx.json) ctx.printJson(run);
  if (run.status !== 'SUCCESS') throw new CliFailure(`run ${run.id} ended ${run.status}`, ExitCode.FAILURE);
}

/** `runs start --from-file`: every start of the file through `POST /v1/runs:batch`; exit 1 when any failed, each failure named by its line. */
async function startFromFile(ctx: ClientContext, file: string, workflow: string | undefined, options: { bizId?: string; bizType?: string; input?: unknown; idempotencyKey?: string; priority?: number; watch: boolean }): Promise<void> {
  if (options.watch || options.bizId || options.bizType || options.input || options.idempotencyKey || options.priority !== undefined) {
    throw new CliFailure('--from-file takes each start\'s fields from the file: --watch, --biz-id, --biz-type, --input, --idempotency-key and --priority do not combine with it', ExitCode.USAGE);
  }
  const answer = await ctx.client.startMany(await readStartFile(file, workflow));
  if (ctx.json) ctx.printJson(answer);
  else {
    const rows = answer.items.map((item, i) =>
      'error' in item ? [String(i + 1), '', '', 'FAILED', `${item.error.code}: ${item.error.message}`] : [String(i + 1), item.run.id, item.run.workflow, item.run.status, item.created ? 'started' : 'existing (idempotency key)'],
    );
    ctx.print(renderTable(['#', 'RUN', 'WORKFLOW', 'STATUS', 'RESULT'], rows));
    ctx.print(`\n${answer.created} started, ${answer.existing} existing, ${answer.failed} failed`);
  }
  if (answer.failed > 0) throw new CliFailure(`${answer.failed} of ${answer.items.length} starts failed`, ExitCode.FAILURE);
}

/** `flowline runs list|show|start|cancel|rerun|resume|notifications|signal|approve|reject|watch`. */
export function runCommands(): Command {
  const runs = new Command('runs').description('list, start, watch and operate workflow runs');

  withClientOptions(runs.command('list'))
    .description('list runs, newest first')
    .option('-w, --workflow <name>', 'only runs of this workflow')
    .option('-s, --status <statuses>', 'comma-separated statuses, e.g. FAIL,TIMEOUT')
    .option('--biz-id <id>', 'only runs of this business id')
    .option('-n, --limit <n>', 'how many', positiveInteger, 20)
    .option('--cursor <cursor>', 'the next page, as printed below the previous one')
    .action(async (options: { workflow?: string; status?: string; bizId?: string; limit: number; cursor?: string }, command: Command) => {
      const ctx = clientContext(command);
      const page = await ctx.client.runs({
        ...(options.workflow ? { workflow: options.workflow } : {}),
        ...(options.status ? { status: options.status.split(',') as RunStatus[] } : {}),
        ...(options.bizId ? { bizId: options.bizId } : {}),
        ...(options.cursor ? { cursor: options.cursor } : {}),
        limit: options.limit,
      });
      if (ctx.json) return ctx.printJson(page);
      ctx.print(page.items.length ? renderTable(['ID', 'WORKFLOW', 'STATUS', 'BIZ ID', 'STARTED', 'TOOK'], runRows(page.items)) : 'no runs');
      if (page.nextCursor) ctx.print(`\nmore: flowline runs list --cursor ${page.nextCursor}`);
    });

  withClientOptions(runs.command('show'))
    .description('a run with its nodes')
    .argument('<id>', 'run id')
    .option('-r, --results', "print each node's result text", false)
    .action(async (id: string, options: { results: boolean }, command: Command) => {
      const ctx = clientContext(command);
      printRun(ctx, await ctx.client.run(id), options.results);
    });

  withClientOptions(runs.command('start'))
    .description('start a run of a workflow, or many at once from a file')
    .argument('[workflow]', 'definition name, e.g. BackupCluster (with --from-file: the workflow of starts that name none)')
    .option('--biz-id <id>', 'business id the run is about')
    .option('--biz-type <type>', 'business type')
    .option('-i, --input <json>', 'input as a JSON object', jsonObject)
    .option('-k, --idempotency-key <key>', 'the same key returns the same run, never a second')
    .option('-f, --from-file <file>', 'start many runs: a JSON array or JSON Lines of {workflow?, bizId?, bizType?, input?, idempotencyKey?, priority?} ("-" for stdin), sent 1,000 a request')
    .option('-p, --priority <n>', 'dispatch its nodes before those of lower-priority runs (-1000 to 1000, default 0)', integer)
    .option('--watch', 'watch the run to its end; exit 1 unless it succeeds', false)
    .option('--interval <ms>', 'poll interval while watching', positiveInteger, 500)
    .action(
      async (
        workflow: string | undefined,
        options: { bizId?: string; bizType?: string; input?: Record<string, unknown>; idempotencyKey?: string; priority?: number; fromFile?: string; watch: boolean; interval: number },
        command: Command,
      ) => {
        const ctx = clientContext(command);
        if (options.fromFile !== undefined) return startFromFile(ctx, options.fromFile, workflow, options);
        if (workflow === undefined) throw new CliFailure('name the workflow to start, or pass --from-file', ExitCode.USAGE);
        const run = await ctx.client.start(workflow, {
          ...(options.bizId ? { bizId: options.bizId } : {}),
          ...(options.bizType ? { bizType: options.bizType } : {}),
          ...(options.input ? { input: options.input } : {}),
          ...(options.idempotencyKey ? { idempotencyKey: options.idempotencyKey } : {}),
          ...(options.priority === undefined ? {} : { priority: options.priority }),
        });
        if (options.watch) return watchToEnd(ctx, run.id, options.interval);
        if (ctx.json) ctx.printJson(run);
        else ctx.print(`started ${run.workflow} run ${run.id} (${run.status})`);
      },
    );

  addBulkRunCommands(runs);
  addNotificationCommand(runs);
  addSignalCommands(runs);

  withClientOptions(runs.command('watch'))
    .description('live status of each node until the run ends; exit 1 unless it succeeds')
    .argument('<id>', 'run id')
    .option('--interval <ms>', 'poll interval', positiveInteger, 500)
    .action(async (id: string, options: { interval: number }, command: Command) => watchToEnd(clientContext(command), id, options.interval));

  return runs;
}
