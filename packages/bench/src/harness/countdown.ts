/** Resolves once `tick()` was called `count` times; `reached` is that promise. */
export class Countdown {
  private remaining: number;
  private resolve!: () => void;
  readonly reached: Promise<void>;

  constructor(count: number) {
    this.remaining = count;
    this.reached = new Promise((resolve) => (this.resolve = resolve));
    if (count <= 0) this.resolve();
  }

  tick(): void {
    if (--this.remaining === 0) this.resolve();
  }
}
