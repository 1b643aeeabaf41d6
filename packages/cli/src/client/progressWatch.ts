/** How a background job (a bulk operation, a backfill) is followed to its end. */
export interface ProgressWatchOptions<T> {
  readonly intervalMs: number;
  /** redraw the line in place (a terminal) rather than print it each time it changes */
  readonly live: boolean;
  readonly write: (text: string) => void;
  /** the job's progress line */
  readonly line: (job: T) => string;
  readonly done: (job: T) => boolean;
}

/**
 * Polls a job until it is done, drawing its progress line: redrawn in place on
 * a terminal, printed when it changes in a pipe or a log. Returns its last state.
 */
export async function watchProgress<T>(read: () => Promise<T>, options: ProgressWatchOptions<T>): Promise<T> {
  let last = '';
  for (;;) {
    const job = await read();
    const line = options.line(job);
    if (options.live) options.write(`\r\x1b[K${line}`);
    else if (line !== last) options.write(`${line}\n`);
    last = line;
    if (options.done(job)) {
      if (options.live) options.write('\n');
      return job;
    }
    await new Promise((resolve) => setTimeout(resolve, options.intervalMs));
  }
}
