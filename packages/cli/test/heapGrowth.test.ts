import v8 from 'node:v8';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { limitHeapGrowth } from '../src/heapGrowth.ts';

describe('limitHeapGrowth', () => {
  afterEach(() => vi.restoreAllMocks());

  it("sets V8's heap growing percent when the operator set none", () => {
    const setFlags = vi.spyOn(v8, 'setFlagsFromString').mockImplementation(() => undefined);
    limitHeapGrowth(['--max-old-space-size=512']);
    expect(setFlags).toHaveBeenCalledWith('--heap-growing-percent=50');
  });

  it.each([['--heap-growing-percent=0'], ['--heap_growing_percent=200'], ['--heap-growing-percent', '30']])('leaves the operator’s NODE_OPTIONS %s in force', (...flags) => {
    const setFlags = vi.spyOn(v8, 'setFlagsFromString').mockImplementation(() => undefined);
    limitHeapGrowth(flags);
    expect(setFlags).not.toHaveBeenCalled();
  });
});
