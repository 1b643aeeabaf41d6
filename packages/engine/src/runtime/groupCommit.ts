interface Waiting<In, Out> {
  readonly item: In;
  resolve(value: Out): void;
  reject(error: unknown): void;
}

/**
 * Group commit: work items submitted while a batch is being written wait, and
 * are then written together, one transaction (one round trip, one fsync) for
 * all of them instead of one each. The first item after a quiet spell goes at
 * once, so a lone item waits for nothing; under load batches grow by
 * themselves, to what arrives during one write. On this kind of machine a
 * round trip, not the work in it, is the cost, so this is what throughput
 * rests on (50 nodes finishing together cost one decision transaction).
 *
 * `flush` answers each item on its own: one item's failure is not its
 * neighbours'.
 */
export class GroupCommit<In, Out> {
  private queued: Waiting<In, Out>[] = [];
  private flushing = false;

  constructor(
    private readonly flush: (items: readonly In[]) => Promise<readonly PromiseSettledResult<Out>[]>,
    private readonly options: { readonly maxBatch?: number } = {},
  ) {}

  submit(item: In): Promise<Out> {
    return new Promise((resolve, reject) => {
      this.queued.push({ item, resolve, reject });
      if (!this.flushing) void this.drain();
    });
  }

  private async drain(): Promise<void> {
    this.flushing = true;
    try {
      while (this.queued.length > 0) {
        const batch = this.queued.splice(0, this.options.maxBatch ?? 500);
        const settled = await this.flush(batch.map((w) => w.item)).catch((error: unknown) =>
          batch.map((): PromiseSettledResult<Out> => ({ status: 'rejected', reason: error })),
        );
        batch.forEach((waiting, i) => {
          const outcome = settled[i]!;
          if (outcome.status === 'fulfilled') waiting.resolve(outcome.value);
          else waiting.reject(outcome.reason);
        });
      }
    } finally {
      this.flushing = false;
    }
  }
}
