import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import type { ContenderFactory } from '../contenders/contender.ts';
import type { BenchEnvironment } from '../harness/benchEnvironment.ts';
import { Better, type Measurement } from '../harness/measurement.ts';
import { progress } from '../harness/progress.ts';
import { spread } from '../harness/stats.ts';

const METRIC = { metric: 'peak RSS, runs in flight', unit: 'MB', better: Better.LOWER } as const;
const SAMPLE_MS = 100;
/** How long the in-flight state is held (and sampled) after the last start. */
const HOLD_MS = 2000;

/**
 * S5, inside a child process of its own (so no other contender's heap or JIT
 * state is counted): per repetition, start the runs, hold them in flight, and
 * take the contender's peak RSS (`residentBytes`) — for one run in process,
 * that process's: producer, engine and worker together, as in `pnpm start`;
 * for flowline as shipped, its api and worker processes' together — then
 * release them and wait until all have finished. Repetitions share the
 * process (RSS seldom shrinks, so later ones show whether holding the same
 * load again grows it).
 */
export async function measureInFlightRss(env: BenchEnvironment, factory: ContenderFactory): Promise<number[]> {
  const contender = await factory.start(env);
  const peaks: number[] = [];
  try {
    for (let rep = 1; rep <= env.scale.repetitions; rep++) {
      const atRest = contender.residentBytes();
      let peak = atRest;
      const sampler = setInterval(() => (peak = Math.max(peak, contender.residentBytes())), SAMPLE_MS);
      const held = await contender.holdInFlight(env.scale.inFlightRuns, env.scale.producers);
      await new Promise((resolve) => setTimeout(resolve, HOLD_MS));
      clearInterval(sampler);
      peaks.push(peak / (1024 * 1024));
      // The next repetition starts from no runs in flight, not from this one's tail.
      await held.release();
      // The figure before the starts says how much of the peak the runs in flight add.
      progress(`S5 ${factory.name}: repetition ${rep}/${env.scale.repetitions} rss=${(peak / (1024 * 1024)).toFixed(0)} MB (${(atRest / (1024 * 1024)).toFixed(0)} MB before the starts)`);
    }
    return peaks;
  } finally {
    await contender.close();
  }
}

/** S5 for every contender, each in a fresh child process running `main.ts --child-memory <name>`. */
export async function runMemoryScenario(
  env: BenchEnvironment,
  factories: readonly ContenderFactory[],
  childArgs: readonly string[],
): Promise<Measurement[]> {
  const measurements: Measurement[] = [];
  for (const factory of factories) {
    progress(`S5 ${factory.name}: setting up a child process`);
    const samples = await runChild([...childArgs, '--child-memory', factory.name]);
    measurements.push({ scenario: 'S5', ...METRIC, metric: `${METRIC.metric} (${env.scale.inFlightRuns})`, contender: factory.name, postgresBacked: factory.postgresBacked, samples, spread: spread(samples) });
  }
  return measurements;
}

const MAIN = fileURLToPath(new URL('../main.ts', import.meta.url));

function runChild(args: readonly string[]): Promise<number[]> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['--import', 'tsx', MAIN, ...args], { stdio: ['ignore', 'pipe', 'inherit'] });
    let out = '';
    child.stdout.on('data', (chunk: Buffer) => (out += chunk.toString()));
    child.on('error', reject);
    child.on('exit', (code) => {
      const peaks = code === 0 ? (JSON.parse(out.trim().split('\n').pop() ?? 'null') as unknown) : null;
      if (!Array.isArray(peaks)) reject(new Error(`memory child exited ${code}: ${out}`));
      else resolve(peaks as number[]);
    });
  });
}
