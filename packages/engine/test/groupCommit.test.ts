import { describe, expect, it } from 'vitest';
import { GroupCommit } from '../src/runtime/groupCommit.ts';

/** A flush that records its batches, answers each item with its double (or an error for 'bad'), once `open()` is called. */
function recorder() {
  const batches: string[][] = [];
  let open!: () => void;
  const gate = new Promise<void>((resolve) => (open = resolve));
  const flush = async (items: readonly string[]): Promise<PromiseSettledResult<string>[]> => {
    batches.push([...items]);
    await gate;
    return items.map((item) => (item === 'bad' ? { status: 'rejected', reason: new Error(item) } : { status: 'fulfilled', value: item + item }));
  };
  return { batches, open, flush };
}

describe('group commit', () => {
  it('writes the first item at once and the ones arriving meanwhile together next', async () => {
    const { batches, open, flush } = recorder();
    const group = new GroupCommit(flush);
    const results = Promise.all(['a', 'b', 'c'].map((item) => group.submit(item)));
    open();
    expect(await results).toEqual(['aa', 'bb', 'cc']);
    expect(batches).toEqual([['a'], ['b', 'c']]);
  });

  it('answers each item on its own: one failure is not its neighbours’', async () => {
    const { open, flush } = recorder();
    const group = new GroupCommit(flush);
    const first = group.submit('a');
    const bad = group.submit('bad');
    const good = group.submit('b');
    open();
    await expect(first).resolves.toBe('aa');
    await expect(bad).rejects.toThrow('bad');
    await expect(good).resolves.toBe('bb');
  });

  it('rejects the whole batch when the flush itself throws, and goes on with the next', async () => {
    let calls = 0;
    const group = new GroupCommit<string, string>(async (items) => {
      if (calls++ === 0) throw new Error('connection lost');
      return items.map((value) => ({ status: 'fulfilled', value }));
    });
    await expect(group.submit('a')).rejects.toThrow('connection lost');
    await expect(group.submit('b')).resolves.toBe('b');
  });

  it('caps a batch at maxBatch items', async () => {
    const { batches, open, flush } = recorder();
    const group = new GroupCommit(flush, { maxBatch: 2 });
    const results = Promise.all(['a', 'b', 'c', 'd', 'e'].map((item) => group.submit(item)));
    open();
    await results;
    expect(batches).toEqual([['a'], ['b', 'c'], ['d', 'e']]);
  });
});
