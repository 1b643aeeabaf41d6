import { mkdirSync, writeFileSync } from 'node:fs';
import { cpus, totalmem } from 'node:os';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { ALL_CONTENDERS } from './contenders/allContenders.ts';
import { FULL_SCALE, QUICK_SCALE, type BenchEnvironment } from './harness/benchEnvironment.ts';
import type { Measurement } from './harness/measurement.ts';
import { progress } from './harness/progress.ts';
import { resultTable } from './harness/report.ts';
import { runFanOutScenario } from './scenarios/fanOutScenario.ts';
import { runHistoryScenario } from './scenarios/historyScenario.ts';
import { runLatencyScenario } from './scenarios/latencyScenario.ts';
import { measureInFlightRss, runMemoryScenario } from './scenarios/memoryScenario.ts';
import { runThroughputScenario } from './scenarios/throughputScenario.ts';

const USAGE = `usage: pnpm bench [S1|S2|S3|S4|S5 ...] [--quick] [--runs <n>] [--contender <name> ...] [--database-url <url>] [--redis-url <url>]

  S1 throughput   one-step workflows started and completed: bulk (1,000 a call) and per call (64 producers)
  S2 latency      a 10-node chain, one at a time: per-hop and end-to-end p50/p99
  S3 fan-out      1 → 1,000 → 1 and 1 → 10,000 → 1 wall time
  S4 history      list queries over 1,000,000 runs (--runs): native /v1/runs and every vendor dialect in the tree
  S5 memory       peak RSS with 20,000 runs in flight
  --quick         counts scaled down: the whole run takes under five minutes on 2 cores
  --runs <n>      S4: runs in history instead of the scale's (e.g. 10000000)
  contenders:     ${ALL_CONTENDERS.map((c) => c.name).join(', ')} (${ALL_CONTENDERS[0]!.name} runs the built CLI: needs \`pnpm build\`)`;

const { values, positionals } = parseArgs({
  allowPositionals: true,
  options: {
    quick: { type: 'boolean', default: false },
    runs: { type: 'string' },
    contender: { type: 'string', multiple: true },
    'database-url': { type: 'string', default: 'postgres://postgres@127.0.0.1:5432/postgres' },
    'redis-url': { type: 'string', default: 'redis://127.0.0.1:6379' },
    'child-memory': { type: 'string' },
    help: { type: 'boolean', default: false },
  },
});

const SCENARIOS = ['S1', 'S2', 'S3', 'S4', 'S5'] as const;
type ScenarioId = (typeof SCENARIOS)[number];

async function main(): Promise<void> {
  if (values.help) {
    console.log(USAGE);
    return;
  }
  const scale = values.quick ? QUICK_SCALE : FULL_SCALE;
  const historyRuns = values.runs === undefined ? scale.historyRuns : Number(values.runs);
  if (!Number.isSafeInteger(historyRuns) || historyRuns < 1) throw new Error(`--runs: a positive integer, not ${values.runs}\n${USAGE}`);
  const env: BenchEnvironment = {
    databaseUrl: values['database-url'],
    redisUrl: values['redis-url'],
    scale: { ...scale, historyRuns },
  };
  if (values['child-memory'] !== undefined) {
    const factory = ALL_CONTENDERS.find((c) => c.name === values['child-memory'])!;
    console.log(JSON.stringify(await measureInFlightRss(env, factory)));
    return;
  }
  const wanted = positionals.map((p) => p.toUpperCase());
  const unknown = wanted.filter((p) => !(SCENARIOS as readonly string[]).includes(p));
  if (unknown.length) throw new Error(`unknown scenario ${unknown.join(', ')}\n${USAGE}`);
  const scenarios = (wanted.length ? wanted : SCENARIOS) as ScenarioId[];
  const chosen = <F extends { readonly name: string }>(all: readonly F[]) => (values.contender ? all.filter((c) => values.contender!.includes(c.name)) : all);
  const factories = chosen(ALL_CONTENDERS);
  const childArgs = [
    ...(values.quick ? ['--quick'] : []),
    '--database-url',
    env.databaseUrl,
    '--redis-url',
    env.redisUrl,
  ];

  const machine = { cores: cpus().length, cpu: cpus()[0]?.model ?? 'unknown', memoryGb: Math.round(totalmem() / 2 ** 30), node: process.version };
  progress(`flowline bench (${values.quick ? 'quick' : 'full'}): ${scenarios.join(' ')} on ${machine.cores} cores, ${machine.cpu}`);
  const started = Date.now();
  const folder = fileURLToPath(new URL('../../../bench-results/', import.meta.url));
  mkdirSync(folder, { recursive: true });
  const file = `${folder}${new Date().toISOString().replace(/[:.]/g, '-')}-${values.quick ? 'quick' : 'full'}.json`;
  const measurements: Measurement[] = [];
  // Written after every scenario, so a long full run interrupted late keeps what it measured.
  const save = () =>
    writeFileSync(file, JSON.stringify({ machine, scale: env.scale, scenarios, seconds: Math.round((Date.now() - started) / 1000), measurements }, null, 2));
  for (const scenario of scenarios) {
    if (scenario === 'S1') measurements.push(...(await runThroughputScenario(env, factories)));
    if (scenario === 'S2') measurements.push(...(await runLatencyScenario(env, factories)));
    if (scenario === 'S3') measurements.push(...(await runFanOutScenario(env, factories)));
    if (scenario === 'S4') measurements.push(...(await runHistoryScenario(env)));
    if (scenario === 'S5') measurements.push(...(await runMemoryScenario(env, factories, childArgs)));
    save();
  }
  const seconds = Math.round((Date.now() - started) / 1000);
  console.log(`\n${machine.cores} cores (${machine.cpu}), ${machine.memoryGb} GB, Node ${machine.node}; ${values.quick ? 'quick' : 'full'} run, ${seconds} s\n`);
  console.log(resultTable(measurements));
  progress(`results written to ${file}`);
}

main().then(
  () => process.exit(0),
  (error: unknown) => {
    console.error(error);
    process.exit(1);
  },
);
