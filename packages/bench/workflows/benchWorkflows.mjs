// The workflows `flowline (shipped)` runs, loaded by `flowline worker --workflows` from plain
// JavaScript, as a user's compiled module would be, with the engine's built dist. Each has the
// name, shape and node count of its twin in src/contenders/flowlineContender.ts, so the shipped
// and in-process rows measure the same work.
import { existsSync } from 'node:fs';
import process from 'node:process';
import { defineWorkflow } from '@flowline/engine';

/**
 * This process's clock in epoch milliseconds, sub-millisecond: the harness reads the same clock
 * (timeOrigin is the wall time at process start, now() monotonic since), so a step's start here
 * and a start call there compare across the two processes.
 */
const wallClockMs = () => performance.timeOrigin + performance.now();

export const benchOneStep = defineWorkflow({ name: 'bench_one_step', nodes: [{ name: 'step', run: async () => null }] });

/**
 * S5's held runs: a handler does not return while the file named by BENCH_HOLD_FILE exists (the
 * harness writes it before its starts and removes it to release them). One poll for all waiting
 * handlers, every 20 ms, so 50 held handlers cost the worker no more than one would.
 */
const holdFile = process.env.BENCH_HOLD_FILE;
const held = [];
let holdPoll;
const released = () => {
  if (holdFile === undefined || !existsSync(holdFile)) return Promise.resolve(null);
  holdPoll ??= setInterval(() => {
    if (existsSync(holdFile)) return;
    clearInterval(holdPoll);
    holdPoll = undefined;
    for (const release of held.splice(0)) release(null);
  }, 20);
  return new Promise((resolve) => held.push(resolve));
};

export const benchHeld = defineWorkflow({ name: 'bench_held', nodes: [{ name: 'step', run: released }] });

/**
 * S2's chain: each step's first act is to note when it began, as the in-process handlers do; the
 * moment goes into the step's output, so the harness reads it from the durable node record once
 * the run has ended.
 */
const CHAIN_LENGTH = 10;
export const benchChain = defineWorkflow({
  name: 'bench_chain',
  nodes: Array.from({ length: CHAIN_LENGTH }, (_, i) => ({
    name: `s${i}`,
    ...(i === 0 ? {} : { dependsOn: [`s${i - 1}`] }),
    run: async () => ({ startedAtMs: wallClockMs() }),
  })),
});

/** S3's fan-outs, 1 → width → 1, for every width the full and quick scales use. */
const fanOut = (width) => {
  const middle = Array.from({ length: width }, (_, i) => `m${i}`);
  return defineWorkflow({
    name: `bench_fan_${width}`,
    nodes: [
      { name: 'root', run: async () => null },
      ...middle.map((name) => ({ name, dependsOn: ['root'], run: async () => null })),
      { name: 'join', dependsOn: middle, run: async () => null },
    ],
  });
};
export const benchFan1000 = fanOut(1_000);
export const benchFan10000 = fanOut(10_000);
