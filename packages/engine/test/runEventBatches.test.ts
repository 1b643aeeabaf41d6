import type { Command, RunEvent } from '@flowline/engine';
import { describe, expect, it } from 'vitest';
import { RunEventBatches } from '../src/runtime/runEventBatches.ts';

const success = (node: string): RunEvent => ({ type: 'NODE_SUCCEEDED', node, attempt: 1, outcome: {} });
const enqueue = (node: string): Command => ({ type: 'ENQUEUE', node, attempt: 1, runAt: new Date(0) });

/** A decideBatch that records its batches and answers each event with an ENQUEUE of its node, once `open()` is called. */
function recorder(fail: (event: RunEvent) => boolean = () => false) {
  const batches: string[][] = [];
  let open!: () => void;
  const gate = new Promise<void>((resolve) => (open = resolve));
  const decideBatch = async (_run: string, events: readonly RunEvent[]) => {
    batches.push(events.map((e) => (e.type === 'NODE_SUCCEEDED' ? e.node : e.type)));
    await gate;
    if (events.some(fail)) throw new Error('stale');
    return events.map((e) => [enqueue(e.type === 'NODE_SUCCEEDED' ? e.node : '')]);
  };
  return { batches, open, decideBatch };
}

describe('successes of one run arriving together', () => {
  it('the first is decided at once, the ones arriving meanwhile together in the next transaction', async () => {
    const { batches, open, decideBatch } = recorder();
    const runs = new RunEventBatches(decideBatch);
    const results = Promise.all(['a', 'b', 'c'].map((n) => runs.submit('run-1', success(n))));
    open();
    expect((await results).map((commands) => commands[0]!.type === 'ENQUEUE' && commands[0]!.node)).toEqual(['a', 'b', 'c']);
    expect(batches).toEqual([['a'], ['b', 'c']]);
  });

  it('another run is never held back by this one', async () => {
    const { batches, open, decideBatch } = recorder();
    const runs = new RunEventBatches(decideBatch);
    const results = Promise.all([runs.submit('run-1', success('a')), runs.submit('run-2', success('x'))]);
    open();
    await results;
    expect(batches).toEqual([['a'], ['x']]);
  });

  it('a batch that fails is decided event by event, so only the failing event reports the error', async () => {
    const { batches, open, decideBatch } = recorder((event) => event.type === 'NODE_SUCCEEDED' && event.node === 'c');
    const runs = new RunEventBatches(decideBatch);
    const first = runs.submit('run-1', success('a'));
    const b = runs.submit('run-1', success('b'));
    const c = runs.submit('run-1', success('c'));
    open();
    await first;
    await expect(b).resolves.toHaveLength(1);
    await expect(c).rejects.toThrow('stale');
    expect(batches.slice(1)).toEqual([['b', 'c'], ['b'], ['c']]);
  });
});
