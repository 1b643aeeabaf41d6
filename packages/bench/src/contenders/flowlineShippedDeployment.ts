import { spawn, execFile, type ChildProcess } from 'node:child_process';
import { closeSync, existsSync, mkdtempSync, openSync, readFileSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { FlowlineClient } from '@flowline/client';
import type { BenchEnvironment } from '../harness/benchEnvironment.ts';
import { createScratchDatabase } from '../harness/scratchDatabase.ts';
import { createScratchRedisPrefix } from '../harness/scratchRedis.ts';
import { progress } from '../harness/progress.ts';

/** The CLI as a user runs it after `pnpm build`: bin/flowline.js imports dist/, plain node, no TypeScript. */
const CLI = fileURLToPath(new URL('../../../cli/bin/flowline.js', import.meta.url));
const CLI_DIST = fileURLToPath(new URL('../../../cli/dist/main.js', import.meta.url));
/** The worker's workflows, a plain JavaScript module as a user's compiled one. */
const WORKFLOWS = fileURLToPath(new URL('../../workflows/benchWorkflows.mjs', import.meta.url));
const ADMIN_TOKEN = 'bench-shipped-admin-token-0123456789';
/** How long the two processes may take to come up, the worker registering a 10,002-node definition among them. */
const READY_TIMEOUT_MS = 60_000;

const execFileAsync = promisify(execFile);

/** flowline deployed as its README says, on scratch storage of its own, serving the bench's workflows. */
export interface ShippedFlowline {
  /** the shipped client, calling the API process over HTTP as the admin */
  readonly client: FlowlineClient;
  /** the scratch database both processes use, for the harness's own reads of the durable records */
  readonly databaseUrl: string;
  /** while this file exists, `bench_held` handlers do not return (workflows/benchWorkflows.mjs) */
  readonly holdFile: string;
  /** the api and worker processes' ids, while they run */
  pids(): readonly number[];
  /** the resident set of the api and worker processes together, in bytes, as /proc says now */
  residentBytes(): number;
  /** stops both processes (SIGTERM, as a service manager does) and drops the scratch storage */
  close(): Promise<void>;
}

/**
 * Brings flowline up as shipped: `flowline migrate`, then `flowline api` and
 * `flowline worker --workflows workflows/benchWorkflows.mjs` as two processes
 * started from the built dist, with every setting at its default — pool 20 each
 * (FLOWLINE_PG_POOL_MAX), worker concurrency 50, local queue 10,000, logging
 * at `info` (written to a file, as a service's log would be, removed after), the
 * reconciler and the bulk and delivery loops on in the worker. Resolves once the
 * API answers and the worker has registered every workflow in `definitions`.
 */
export async function launchShippedFlowline(env: BenchEnvironment, definitions: readonly string[]): Promise<ShippedFlowline> {
  if (!existsSync(CLI_DIST)) throw new Error('flowline (shipped) runs the built CLI: run `pnpm build` first');
  const database = await createScratchDatabase(env.databaseUrl, 'flowline_shipped');
  const keys = createScratchRedisPrefix(env.redisUrl, 'flowline_shipped');
  const port = await freePort();
  const scratch = mkdtempSync(path.join(tmpdir(), 'flowline-bench-'));
  const holdFile = path.join(scratch, 'hold');
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
  const processes = [
    launch('api', [], environment, scratch),
    launch('worker', ['--workflows', WORKFLOWS], { ...environment, BENCH_HOLD_FILE: holdFile }, scratch),
  ];
  const children = processes.map((p) => p.child);
  const pids = () => children.flatMap((c) => (c.pid === undefined || c.exitCode !== null ? [] : [c.pid]));
  progress(`flowline (shipped): api on :${port}, logs in ${scratch}`);
  const client = new FlowlineClient({ baseUrl: `http://127.0.0.1:${port}`, token: ADMIN_TOKEN });
  const close = async () => {
    await Promise.all(children.map(stop));
    rmSync(scratch, { recursive: true, force: true });
    await keys.drop();
    await database.drop();
  };
  const registered = async () => (await Promise.all(definitions.map((name) => client.definition(name).then(() => true, () => false)))).every(Boolean);
  try {
    await until(async () => {
      const exited = processes.find((p) => p.child.exitCode !== null);
      if (exited) throw new Error(`flowline (shipped): \`flowline ${exited.role}\` exited ${exited.child.exitCode}, its log ending: ${readFileSync(exited.log, 'utf8').slice(-2000)}`);
      return registered();
    }, READY_TIMEOUT_MS);
  } catch (error) {
    await close();
    throw error;
  }

  return {
    client,
    databaseUrl: database.url,
    holdFile,
    pids,
    residentBytes: () => pids().reduce((sum, pid) => sum + residentBytesOf(pid), 0),
    close,
  };
}

/** `flowline <role> …args`, its output to `<folder>/<role>.log`. */
function launch(role: string, args: readonly string[], environment: Record<string, string>, folder: string): { role: string; log: string; child: ChildProcess } {
  const log = path.join(folder, `${role}.log`);
  const fd = openSync(log, 'a');
  const child = spawn(process.execPath, [CLI, role, ...args], { env: environment, stdio: ['ignore', fd, fd] });
  child.once('spawn', () => closeSync(fd));
  return { role, log, child };
}

/** VmRSS of /proc/<pid>/status: the figure `process.memoryUsage().rss` gives inside a process, read from outside it. */
function residentBytesOf(pid: number): number {
  const line = /^VmRSS:\s+(\d+) kB$/m.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
  if (!line) throw new Error(`flowline (shipped): no VmRSS for process ${pid}`);
  return Number(line[1]) * 1024;
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
