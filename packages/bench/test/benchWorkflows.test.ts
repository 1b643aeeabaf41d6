import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import type { NodeContext, WorkflowDefinition } from '@flowline/engine';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';

/** The module `flowline (shipped)`'s worker serves, loaded as `flowline worker --workflows` loads it. */
const MODULE = new URL('../workflows/benchWorkflows.mjs', import.meta.url).href;

describe('the workflows flowline (shipped) runs', () => {
  const folder = mkdtempSync(path.join(tmpdir(), 'bench-workflows-'));
  const holdFile = path.join(folder, 'hold');
  let workflows: Map<string, WorkflowDefinition>;

  beforeAll(async () => {
    // Read by the module when it loads, as the worker's environment gives it.
    vi.stubEnv('BENCH_HOLD_FILE', holdFile);
    const module = (await import(MODULE)) as Record<string, WorkflowDefinition>;
    workflows = new Map(Object.values(module).map((w) => [w.spec.name, w]));
  });
  afterAll(() => {
    vi.unstubAllEnvs();
    rmSync(folder, { recursive: true, force: true });
  });

  const shape = (name: string) => workflows.get(name)!.spec.nodes.map((n) => ({ name: n.name, dependsOn: n.dependsOn ?? [] }));
  const run = (workflow: string, node: string) => workflows.get(workflow)!.handlers.get(`${workflow}.${node}`)!.run({} as NodeContext);

  it('has the in-process contender’s chain: ten steps in a line', () => {
    expect(shape('bench_chain')).toEqual(Array.from({ length: 10 }, (_, i) => ({ name: `s${i}`, dependsOn: i === 0 ? [] : [`s${i - 1}`] })));
  });

  it('has the in-process contender’s fan-outs: a root, width middle steps on it, a join on all of them', () => {
    for (const width of [1_000, 10_000]) {
      const middle = Array.from({ length: width }, (_, i) => `m${i}`);
      expect(shape(`bench_fan_${width}`)).toEqual([
        { name: 'root', dependsOn: [] },
        ...middle.map((name) => ({ name, dependsOn: ['root'] })),
        { name: 'join', dependsOn: middle },
      ]);
    }
  });

  it('a chain step’s output says when it began, on a clock the harness’s process reads too', async () => {
    const before = performance.timeOrigin + performance.now();
    const { startedAtMs } = (await run('bench_chain', 's3')) as { startedAtMs: number };
    expect(startedAtMs).toBeGreaterThanOrEqual(before);
    expect(startedAtMs).toBeLessThanOrEqual(performance.timeOrigin + performance.now());
  });

  it('a held step returns only once the hold file is removed', async () => {
    writeFileSync(holdFile, '');
    let returned = false;
    const held = Promise.all([run('bench_held', 'step'), run('bench_held', 'step')]).then(() => (returned = true));
    await new Promise((resolve) => setTimeout(resolve, 100));
    expect(returned).toBe(false);
    rmSync(holdFile);
    await held;
    expect(await run('bench_held', 'step')).toBeNull();
  });
});
