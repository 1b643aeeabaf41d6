import { spawn, execFile, type ChildProcess } from 'node:child_process';
import { closeSync, existsSync, mkdtempSync, openSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { FlowlineClient, type BatchStart } from '@flowline/client';
import { createScratchDatabase } from '../harness/scratchDatabase.ts';
import { createScratchRedisPrefix } from '../harness/scratchRedis.ts';
import { progress } from '../harness/progress.ts';
import { startAll, untilNoneUnfinished } from '../harness/startMode.ts';
import type { ContenderFactory, ThroughputContender } from './contender.ts';
import { flowlineRunCount } from './flowlineRunCount.ts';

/** The CLI as a user runs it after `pnpm build`: bin/flowline.js imports dist/, plain node, no TypeScript. */
const CLI = fileURLToPath(new URL('../../../cli/bin/flowline.js', import.meta.url));
const CLI_DIST = fileURLToPath(new URL('../../../cli/dist/main.js', import.meta.url));
/** The worker's workflows, a plain JavaScript module as a user's compiled one. */
const WORKFLOWS = fileURLToPath(new URL('../../workflows/benchOneStep.mjs', import.meta.url));
const WORKFLOW = 'bench_one_step';
const ADMIN_TOKEN = 'bench-shipped-admin-token-0123456789';

const execFileAsync = promisify(execFile);

/**
 * flowline as shipped, the way its README deploys it: `flowline migrate`, then
 * `flowline api` and `flowline worker --workflows …` as two processes started
 * from the built dist, with every setting at its default — pool 20 each
 * (FLOWLINE_PG_POOL_MAX), worker concurrency 50, local queue 10,000, logging
 * at `info` (written to a file, as a service's log would be, removed after), the reconciler
 * and the bulk and delivery loops on in the worker. Starts go over HTTP with
 * the shipped client (`@flowline/client`): `start` per call, `startMany`
 * (`POST /v1/runs:batch`) in bulk. Completion is counted as for every
 * Postgres-backed contender: the run row says it ended.
 *
 * S1 only: the other scenarios time handlers from inside the benchmark's
 * process, which a separate worker process is not.
 */
export const flowlineShippedContender: ContenderFactory<ThroughputContender> = {
  name: 'flowline (shipped)',
  postgresBacked: true,
  async start(env) {
    if (!existsSync(CLI_DIST)) throw new Error('flowline (shipped) runs the built CLI: run `pnpm build` first');
    const database = await createScratchDatabase(env.databaseUrl, 'flowline_shipped');
    const keys = createScratchRedisPrefix(env.redisUrl, 'flowline_shipped');
    const port = await freePort();
    const logs = mkdtempSync(path.join(tmpdir(), 'flowline-bench-'));
    const environment = {
      DATABASE_URL: database.url,
      REDIS_URL: env.redisUrl,
      FLOWLINE_QUEUE_PREFIX: keys.prefix,
      FLOWLINE_ADMIN_TOKEN: ADMIN_TOKEN,
      PORT: String(port),
      HOST: '127.0.0.1',
      // The worker serves its metrics on a port of its own: any free one, not 9464, which another flowline may hold.
      FLOWLINE_METRICS_PORT: '0',
    };
    await execFileAsync(process.execPath, [CLI, 'migrate'], { env: environment });
    const children = [
      launch([CLI, 'api'], environment, path.join(logs, 'api.log')),
      launch([CLI, 'worker', '--workflows', WORKFLOWS], environment, path.join(logs, 'worker.log')),
    ];
    progress(`flowline (shipped): api on :${port}, logs in ${logs}`);
    const client = new FlowlineClient({ baseUrl: `http://127.0.0.1:${port}`, token: ADMIN_TOKEN });
    const runs = flowlineRunCount(database.url);
    // Ready once the API answers and the worker has registered the workflow it serves.
    await until(async () => (await client.definition(WORKFLOW).then(() => true, () => false)) && children.every((c) => c.exitCode === null), 30_000);

    return {
      cost: { databaseUrl: database.url, childPids: () => children.flatMap((c) => (c.pid === undefined ? [] : [c.pid])) },
      async runOneStep(count, mode) {
        const target = (await runs.succeeded()) + count;
        const starts: BatchStart[] = [];
        await startAll(
          count,
          mode,
          () => client.start(WORKFLOW),
          async (_, n) => {
            starts.length = n;
            const answer = await client.startMany(starts.fill({ workflow: WORKFLOW }));
            if (answer.failed > 0) throw new Error(`flowline (shipped): ${answer.failed} starts of a batch failed`);
          },
        );
        await untilNoneUnfinished(() => runs.live());
        const succeeded = await runs.succeeded();
        if (succeeded !== target) throw new Error(`flowline (shipped): ${succeeded} runs succeeded, expected ${target}`);
      },
      async close() {
        await Promise.all(children.map(stop));
        rmSync(logs, { recursive: true, force: true });
        await runs.end();
        await keys.drop();
        await database.drop();
      },
    };
  },
};

function launch(args: readonly string[], environment: Record<string, string>, logFile: string): ChildProcess {
  const log = openSync(logFile, 'a');
  const child = spawn(process.execPath, args, { env: environment, stdio: ['ignore', log, log] });
  child.once('spawn', () => closeSync(log));
  return child;
}

/** SIGTERM, as a service manager stops it: the process drains and exits. */
async function stop(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null) return;
  const exited = new Promise((resolve) => child.once('exit', resolve));
  child.kill('SIGTERM');
  await exited;
}

async function until(ready: () => Promise<boolean>, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await ready())) {
    if (Date.now() > deadline) throw new Error(`flowline (shipped) not ready after ${timeoutMs} ms`);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as { port: number };
      server.close(() => resolve(port));
    });
  });
}
