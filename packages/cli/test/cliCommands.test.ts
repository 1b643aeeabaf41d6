import { execFile } from 'node:child_process';
import { mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { SchedulerLoop } from '@flowline/engine';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startApiFixture, type ApiFixture } from '../../api/test/apiFixture.ts';
import { clientCommandGroups } from '../src/client/clientProgram.ts';
import { argvWithSafeRunIds } from '../src/client/runIdArguments.ts';

/** The CLI's sources (the packed-install test runs its compiled bin): client commands through their own entry, as bin/flowline.js routes them. */
const SOURCES = path.resolve(import.meta.dirname, '../src');
const CLIENT_GROUPS = new Set(clientCommandGroups().map((group) => group.name()));

let api: ApiFixture;
let url: string;
let dir: string;

beforeAll(async () => {
  api = await startApiFixture({ worker: true });
  url = await api.app.listen({ port: 0, host: '127.0.0.1' });
  dir = await mkdtemp(path.join(tmpdir(), 'flowline-cli-'));
});
afterAll(async () => {
  await api.close();
});

interface Outcome {
  code: number;
  stdout: string;
  stderr: string;
}

/** Runs the `flowline` command as a child process, as a user's shell would. */
function flowline(args: string[], env: Record<string, string> = { FLOWLINE_URL: url, FLOWLINE_TOKEN: api.adminToken }): Promise<Outcome> {
  const entry = path.join(SOURCES, CLIENT_GROUPS.has(args[0]!) ? 'client/clientMain.ts' : 'main.ts');
  return new Promise((resolve) => {
    execFile(process.execPath, ['--conditions=@flowline/source', '--import', 'tsx', entry, ...args], { env, timeout: 20_000 }, (error, stdout, stderr) => {
      resolve({ code: error ? Number(error.code ?? 1) : 0, stdout, stderr });
    });
  });
}

async function file(name: string, text: string): Promise<string> {
  const target = path.join(dir, name);
  await writeFile(target, text);
  return target;
}

describe('flowline runs', () => {
  it('starts a BackupCluster, watches every node to SUCCESS and exits 0', async () => {
    const out = await flowline(['runs', 'start', 'BackupCluster', '--biz-id', 'cluster-7', '--watch', '--interval', '100']);
    expect(out.stderr).toBe('');
    expect(out.code).toBe(0);
    expect(out.stdout).toMatch(/run \S{22} {2}BackupCluster {2}SUCCESS/);
    expect(out.stdout).toMatch(/ok backup\s+SUCCESS/);
    expect(out.stdout).toMatch(/ok end\s+SUCCESS/);
    expect(out.stdout).toContain('[####################] 3/3 nodes');
  });

  it('lists runs as a table, and as JSON with --json', async () => {
    const table = await flowline(['runs', 'list', '--workflow', 'BackupCluster']);
    expect(table.code).toBe(0);
    expect(table.stdout.split('\n')[0]).toMatch(/^ID\s+WORKFLOW\s+STATUS\s+BIZ ID\s+STARTED\s+TOOK$/);
    expect(table.stdout).toMatch(/BackupCluster\s+SUCCESS\s+cluster-7/);
    const json = await flowline(['runs', 'list', '--json', '--biz-id', 'cluster-7']);
    const page = JSON.parse(json.stdout) as { items: { bizId: string; status: string }[] };
    expect(page.items).toEqual([expect.objectContaining({ bizId: 'cluster-7', status: 'SUCCESS' })]);
  });

  it("shows a run's nodes and, with --results, their result text", async () => {
    const [run] = (await api.engine.listRuns({ orgId: 'default', bizId: 'cluster-7' }, { limit: 1 })).runs;
    const out = await flowline(['runs', 'show', run!.id, '--results']);
    expect(out.code).toBe(0);
    expect(out.stdout).toMatch(/^NODE\s+TYPE\s+STATUS\s+ATTEMPT/m);
    expect(out.stdout).toContain('--- backup\nget cluster cluster-7');
    expect(out.stdout).toContain('Completed.');
  });

  it('takes a run id that starts with a dash (1 in 64 do) as an id, not an option', async () => {
    const out = await flowline(['runs', 'show', '-AAAAAAAAAAAAAAAAAAAAA']);
    expect(out.code).toBe(3);
    expect(out.stderr).toContain('RUN_NOT_FOUND');
  });

  it('starts many runs from a JSON Lines file in one batch, names each failed start by its line and exits 1', async () => {
    const starts = await file('starts.jsonl', ['{"bizId":"f-1"}', '{"workflow":"Nope"}', '{"bizId":"f-3","idempotencyKey":"from-file-3"}', ''].join('\n'));
    const out = await flowline(['runs', 'start', 'BackupCluster', '--from-file', starts]);
    expect(out.code).toBe(1);
    expect(out.stdout).toMatch(/^1\s+\S{22}\s+BackupCluster\s+READY\s+started/m);
    expect(out.stdout).toMatch(/^2\s+FAILED\s+DEFINITION_NOT_FOUND/m);
    expect(out.stdout).toContain('2 started, 0 existing, 1 failed');
    expect(out.stderr).toContain('1 of 3 starts failed');
    const again = JSON.parse((await flowline(['runs', 'start', '--from-file', await file('again.json', '[{"workflow":"BackupCluster","idempotencyKey":"from-file-3"}]'), '--json'])).stdout);
    expect(again).toMatchObject({ created: 0, existing: 1, failed: 0 });
  });

  it('exits 2 for a start file without a workflow for every start', async () => {
    const out = await flowline(['runs', 'start', '--from-file', await file('nameless.json', '[{"bizId":"x"}]')]);
    expect(out.code).toBe(2);
    expect(out.stderr).toContain('start 1 names no workflow');
  });

  it('exits 3 for a run that does not exist', async () => {
    const out = await flowline(['runs', 'show', 'AAAAAAAAAAAAAAAAAAAAAA']);
    expect(out.code).toBe(3);
    expect(out.stderr).toContain('RUN_NOT_FOUND');
  });

  it('cancels a running run; watching it then exits 1', async () => {
    await api.engine.applyDefinition({ name: 'Slow', nodes: [{ name: 'wait', type: 'sleep', params: { ms: 20_000 } }] });
    const started = JSON.parse((await flowline(['runs', 'start', 'Slow', '--json'])).stdout) as { id: string };
    const cancel = await flowline(['runs', 'cancel', started.id]);
    expect(cancel.code).toBe(0);
    expect(cancel.stdout).toContain(`cancel requested for run ${started.id}`);
    const watched = await flowline(['runs', 'watch', started.id, '--interval', '100']);
    expect(watched.code).toBe(1);
    expect(watched.stderr).toContain('ended CANCEL');
  });

  it('reruns a failed run from its failed node', async () => {
    await api.engine.applyDefinition({ name: 'Flaky', nodes: [{ name: 'once', type: 'fail', params: { failAttempts: 1, message: 'disk full' } }] });
    const failed = await flowline(['runs', 'start', 'Flaky', '--watch', '--interval', '100']);
    expect(failed.code).toBe(1);
    expect(failed.stdout).toMatch(/!! once\s+FAIL\s+\S+\s+disk full/);
    const id = /run (\S{22})/.exec(failed.stdout)![1]!;
    expect((await flowline(['runs', 'rerun', id])).code).toBe(0);
    expect((await flowline(['runs', 'watch', id, '--interval', '100'])).code).toBe(0);
  });
});

describe.concurrent('flowline defs apply', () => {
  it('creates a definition from YAML, updates it on the second apply, and draws its fan-out as a progress bar', async () => {
    const yaml = (shards: number) =>
      [
        'name: Reindex',
        'nodes:',
        '  - { name: plan, type: noop }',
        ...Array.from({ length: shards }, (_, i) => `  - { name: shard_${i + 1}, type: sleep, params: { ms: 50 }, dependsOn: [plan] }`),
        `  - { name: merge, type: noop, dependsOn: [${Array.from({ length: shards }, (_, i) => `shard_${i + 1}`).join(', ')}] }`,
      ].join('\n');
    const created = await flowline(['defs', 'apply', '-f', await file('reindex.yaml', yaml(4))]);
    expect(created.stdout).toBe('created Reindex version 1 (6 nodes)\n');
    const updated = await flowline(['defs', 'apply', '-f', await file('reindex.yaml', yaml(5))]);
    expect(updated.stdout).toBe('applied Reindex version 2 (7 nodes)\n');
    // A create is one row, not a refused update before it.
    const trail = JSON.parse((await flowline(['audit', '--target', 'Reindex', '--json'])).stdout) as { items: { action: string; outcome: string }[] };
    expect(trail.items.map((row) => `${row.action} ${row.outcome}`)).toEqual(['definition.update ok', 'definition.create ok']);
    const watched = await flowline(['runs', 'start', 'Reindex', '--watch', '--interval', '50']);
    expect(watched.code).toBe(0);
    expect(watched.stdout).toContain('shard_1 .. shard_5  fan-out x5  [################] 5/5  (0 running, 0 failed)');
  });

  it('accepts JSON and refuses an invalid definition with exit 1 before calling the API', async () => {
    const json = await flowline(['defs', 'apply', '-f', await file('one.json', JSON.stringify({ name: 'One', nodes: [{ name: 'a', type: 'noop' }] })), '--json']);
    expect(JSON.parse(json.stdout)).toMatchObject({ name: 'One', version: 1, created: true });
    const invalid = await flowline(['defs', 'apply', '-f', await file('bad.yaml', 'name: Bad\nnodes: 7\n')]);
    expect(invalid.code).toBe(1);
    expect(invalid.stderr).toContain('nodes');
  });

  it('applies a definition that uses a handler type a worker registered, and runs it', async () => {
    const spec = 'name: Rebackup\nnodes:\n  - { name: copy, type: BackupCluster.backup }\n  - { name: done, type: noop, dependsOn: [copy] }\n';
    expect((await flowline(['defs', 'apply', '-f', await file('rebackup.yaml', spec)])).stdout).toBe('created Rebackup version 1 (2 nodes)\n');
    const watched = await flowline(['runs', 'start', 'Rebackup', '--biz-id', 'cluster-9', '--watch', '--interval', '50']);
    expect(watched.code).toBe(0);
    expect(watched.stdout).toMatch(/ok copy\s+SUCCESS/);
  });

  it('reports a cycle the server finds, naming the node, with exit 1', async () => {
    const cyclic = 'name: Loop\nnodes:\n  - { name: a, type: noop, dependsOn: [b] }\n  - { name: b, type: noop, dependsOn: [a] }\n';
    const out = await flowline(['defs', 'apply', '-f', await file('loop.yaml', cyclic)]);
    expect(out.code).toBe(1);
    expect(out.stderr).toMatch(/DAG_INVALID.*cycle/);
  });
});

describe('flowline schedules', () => {
  it('lists a schedule declared in a definition, previews it, shows its ledger, pauses and resumes it', async () => {
    const spec = "name: Tick\nnodes:\n  - { name: ping, type: noop }\nschedules:\n  - { name: nightly, expression: '0 0 23 * * ?', timeZone: Asia/Shanghai }\n";
    expect((await flowline(['defs', 'apply', '-f', await file('tick.yaml', spec)])).code).toBe(0);
    const listed = await flowline(['schedules', 'list', '--workflow', 'Tick']);
    expect(listed.stdout).toMatch(/^ID\s+WORKFLOW\s+NAME\s+EXPRESSION/);
    expect(listed.stdout).toMatch(/Tick\s+nightly\s+0 0 23 \* \* \?\s+Asia\/Shanghai\s+active/);
    const [schedule] = JSON.parse((await flowline(['schedules', 'list', '--workflow', 'Tick', '--json'])).stdout) as { id: number; nextFireTime: string }[];

    const preview = await flowline(['schedules', 'preview', String(schedule!.id), '-n', '3']);
    expect(preview.code).toBe(0);
    expect(preview.stdout.match(/T23:00:00\+08:00/g)).toHaveLength(3);

    // Decide the first fire time now instead of waiting for 23:00 in Shanghai.
    await new SchedulerLoop(api.engine).tick(new Date(Date.parse(schedule!.nextFireTime) + 1000));
    const firings = await flowline(['schedules', 'firings', String(schedule!.id)]);
    expect(firings.stdout).toMatch(/FIRED\s+\S{22}/);

    expect((await flowline(['schedules', 'pause', String(schedule!.id)])).stdout).toContain('paused');
    expect((await flowline(['schedules', 'resume', String(schedule!.id)])).stdout).toContain('active, next fire');
    expect((await flowline(['schedules', 'preview', '999999'])).code).toBe(3);
  });
});

describe('flowline credentials', () => {
  it('issues a token, lists it without its secret, and revokes it; the revoked token then exits 4', async () => {
    const issued = JSON.parse((await flowline(['credentials', 'create', '--role', 'reader', '--name', 'grafana', '--json'])).stdout) as { id: string; secret: string };
    expect(issued.secret.length).toBeGreaterThan(16);
    const asReader = { FLOWLINE_URL: url, FLOWLINE_TOKEN: issued.secret };
    expect((await flowline(['runs', 'list'], asReader)).code).toBe(0);
    expect((await flowline(['runs', 'start', 'BackupCluster'], asReader)).code).toBe(4);
    const listed = await flowline(['credentials', 'list']);
    expect(listed.stdout).toMatch(new RegExp(`${issued.id}\\s+bearer\\s+reader\\s+grafana`));
    expect(listed.stdout).not.toContain(issued.secret);
    expect((await flowline(['credentials', 'revoke', issued.id])).code).toBe(0);
    expect((await flowline(['runs', 'list'], asReader)).code).toBe(4);
  });

  it('refuses an org admin a credential in another org or of a global role: exit 4, FORBIDDEN (issue 21)', async () => {
    const orgAdmin = { FLOWLINE_URL: url, FLOWLINE_TOKEN: await api.token('admin', { orgId: 'cli-tenant' }) };
    for (const args of [['--role', 'admin', '--org', 'default'], ['--role', 'admin', '--org', 'another-tenant'], ['--role', 'superadmin']]) {
      const out = await flowline(['credentials', 'create', ...args], orgAdmin);
      expect(out.code, args.join(' ')).toBe(4);
      expect(out.stderr).toContain('FORBIDDEN');
    }
    expect((await flowline(['credentials', 'create', '--role', 'operator'], orgAdmin)).code).toBe(0);
  });

  it('stores a secret for http nodes by name', async () => {
    const out = await flowline(['credentials', 'create', '--kind', 'secret', '--name', 'partner_token', '--secret', 'v4lue', '--json']);
    expect(out.code).toBe(0);
    expect(JSON.parse(out.stdout)).toMatchObject({ kind: 'secret', name: 'partner_token' });
  });
});

describe.concurrent('flowline exit codes', () => {
  it('exits 4 without a token and 2 on bad usage', async () => {
    const codes = await Promise.all([
      flowline(['runs', 'list'], { FLOWLINE_URL: url }),
      flowline(['runs', 'list', '--limit', 'many']),
      flowline(['runs', 'frobnicate']),
      flowline(['credentials', 'create']),
    ]);
    expect(codes.map((c) => c.code)).toEqual([4, 2, 2, 2]);
  });
});

describe('flowline runs signal|approve|reject', () => {
  /** Starts a run and waits until its node `name` is parked (RUNNING without a worker). */
  async function startWaiting(workflow: string, name: string): Promise<string> {
    const { run } = await api.engine.startRun({ workflow });
    await expect.poll(async () => (await api.engine.getRun(run.id)).nodes.find((n) => n.name === name)!.statusName, { timeout: 10_000 }).toBe('RUNNING');
    return run.id;
  }

  /** The id as the CLI echoes it: one run id in 64 begins with '-' and is passed on as its uuid. */
  const echoed = (id: string): string => argvWithSafeRunIds([id])[0]!;

  it('sends a signal with a JSON payload, which the waiting node takes as its output', async () => {
    await api.engine.applyDefinition({ name: 'CliGate', nodes: [{ name: 'gate', type: 'wait', params: { signal: 'go' } }] });
    const id = await startWaiting('CliGate', 'gate');
    const out = await flowline(['runs', 'signal', id, 'go', '--payload', '{"build":42}']);
    expect(out.stderr).toBe('');
    expect(out.stdout).toContain(`signal go sent to run ${echoed(id)}: taken by node gate`);
    const run = await api.waitForEnd(id);
    expect(run.nodes[0]).toMatchObject({ statusName: 'SUCCESS', output: { build: 42 } });
  });

  it('approves one approval and rejects another with its reason', async () => {
    await api.engine.applyDefinition({ name: 'CliSignOff', nodes: [{ name: 'ok', type: 'approval' }] });
    const approved = await startWaiting('CliSignOff', 'ok');
    expect((await flowline(['runs', 'approve', approved, 'ok', '--reason', 'fine'])).stdout).toContain(`node ok of run ${echoed(approved)} approved: taken by node ok`);
    expect((await api.waitForEnd(approved)).statusName).toBe('SUCCESS');
    const rejected = await startWaiting('CliSignOff', 'ok');
    expect((await flowline(['runs', 'reject', rejected, 'ok', '--reason', 'too risky'])).code).toBe(0);
    const run = await api.waitForEnd(rejected);
    expect(run.statusName).toBe('FAIL');
    expect(run.nodes[0]!.error).toMatch(/: too risky$/);
  });
});
