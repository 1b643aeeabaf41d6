import { TERMINAL_RUN_STATUSES, type FlowlineClient, type NodeView, type RunView } from '@flowline/client';
import { formatDuration, progressBar } from './table.ts';

/** Siblings sharing the same parents, this many or more, are drawn as one fan-out line with a progress bar. */
const FAN_OUT_MIN = 3;

const DONE_STATUSES: readonly string[] = TERMINAL_RUN_STATUSES;
const FAILED_STATUSES: readonly string[] = ['FAIL', 'INTERNAL_ERROR', 'TIMEOUT'];

const MARK: Record<string, string> = { SUCCESS: 'ok', SKIP: 'ok', RUNNING: '>>', CANCEL: 'xx', FAIL: '!!', INTERNAL_ERROR: '!!', TIMEOUT: '!!' };
const COLOR: Record<string, string> = { SUCCESS: '32', SKIP: '32', RUNNING: '36', CANCEL: '33', FAIL: '31', INTERNAL_ERROR: '31', TIMEOUT: '31' };

/** One line of the watch view: a node, or a fan-out of nodes with the same parents. */
type Line = { readonly node: NodeView } | { readonly fanOut: readonly NodeView[] };

/** Groups a run's nodes for display: siblings with the same parents, FAN_OUT_MIN or more, share one line. */
export function layoutLines(run: RunView): Line[] {
  const parentsOf = new Map(run.nodes.map((n) => [n.name, n.dependsOn.join(',')]));
  const siblings = new Map<string, NodeView[]>();
  for (const node of run.nodes) {
    const key = parentsOf.get(node.name)!;
    siblings.set(key, [...(siblings.get(key) ?? []), node]);
  }
  const lines: Line[] = [];
  const drawn = new Set<string>();
  for (const node of run.nodes) {
    const key = parentsOf.get(node.name)!;
    const group = siblings.get(key)!;
    if (group.length < FAN_OUT_MIN) lines.push({ node });
    else if (!drawn.has(key)) {
      drawn.add(key);
      lines.push({ fanOut: group });
    }
  }
  return lines;
}

/** The text of one frame of `runs watch`; `color` adds ANSI colors for a terminal. */
export function renderFrame(run: RunView, lines: readonly Line[], color: boolean, now = Date.now()): string {
  const paint = (status: string, text: string) => (color && COLOR[status] ? `\x1b[${COLOR[status]}m${text}\x1b[0m` : text);
  const done = run.nodes.filter((n) => DONE_STATUSES.includes(n.status)).length;
  const status = run.cancelRequested && !DONE_STATUSES.includes(run.status) ? `${run.status} (cancelling)` : run.status;
  const width = Math.max(...run.nodes.map((n) => n.name.length), 8);
  const out = [
    `run ${run.id}  ${run.workflow}  ${paint(run.status, status)}  ${formatDuration(run.startTime ?? run.createdAt, run.endTime, now)}`,
    `${progressBar(done, run.nodes.length)} ${done}/${run.nodes.length} nodes`,
  ];
  for (const line of lines) {
    if ('node' in line) {
      const n = line.node;
      const took = n.startedAt ? formatDuration(n.startedAt, n.endedAt, now) : '';
      const error = n.error ? `  ${n.error.split('\n')[0]}` : '';
      out.push(`  ${(MARK[n.status] ?? '..').padEnd(2)} ${n.name.padEnd(width)}  ${paint(n.status, n.status.padEnd(14))} ${took}${error}`.trimEnd());
    } else {
      const group = line.fanOut;
      const finished = group.filter((n) => DONE_STATUSES.includes(n.status)).length;
      const running = group.filter((n) => n.status === 'RUNNING').length;
      const failed = group.filter((n) => FAILED_STATUSES.includes(n.status)).length;
      const name = `${group[0]!.name} .. ${group[group.length - 1]!.name}`;
      out.push(`  ${name}  fan-out x${group.length}  ${progressBar(finished, group.length, 16)} ${finished}/${group.length}  (${running} running, ${failed} failed)`);
    }
  }
  return out.join('\n');
}

export interface WatchOptions {
  readonly intervalMs: number;
  readonly write: (text: string) => void;
  /** redraw in place (a terminal) rather than print each change below the last */
  readonly live: boolean;
}

/**
 * Polls a run and redraws it until it is terminal; returns its last state.
 * On a terminal the frame is redrawn in place each poll; in a pipe or a log a
 * frame is printed only when some status changed, so the output stays readable.
 */
export async function watchRun(client: FlowlineClient, id: string, options: WatchOptions): Promise<RunView> {
  let run = await client.run(id);
  let drawnLines = 0;
  let lastSignature = '';
  for (;;) {
    const frame = renderFrame(run, layoutLines(run), options.live);
    const signature = [run.status, run.cancelRequested, ...run.nodes.map((n) => n.status)].join();
    if (options.live) {
      options.write(`${drawnLines ? `\x1b[${drawnLines}A\x1b[J` : ''}${frame}\n`);
      drawnLines = frame.split('\n').length;
    } else if (signature !== lastSignature) {
      options.write(`${frame}\n\n`);
    }
    lastSignature = signature;
    if (DONE_STATUSES.includes(run.status)) return run;
    await new Promise((resolve) => setTimeout(resolve, options.intervalMs));
    run = await client.run(id);
  }
}
