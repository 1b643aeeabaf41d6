import { cpSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { drizzle } from 'drizzle-orm/node-postgres';
import { migrate } from 'drizzle-orm/node-postgres/migrator';
import { Engine, Status, connectRedis, migrateDatabase, openDatabase, uuidToShortId, type Database } from '@flowline/engine';
import { ADMIN_URL, TEST_REDIS_URL, freshQueuePrefix } from '@flowline/engine/testing';
import type { Redis } from 'ioredis';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { MIGRATIONS_FOLDER } from '../src/storage/migrate.ts';

/**
 * A database with runs, made by the schema before partitioning (migrations up
 * to 0022), then migrated: its tables become the default partitions as they
 * are, and every run in them stays readable, listed, counted and
 * deduplicated by its idempotency key. A legacy uuid that falls in the range of
 * a period made by the migration moves into that period's partitions with its
 * nodes.
 */
const LAST_UNPARTITIONED = '0022_signals_and_children';
const name = `flowline_premigration_${process.pid}_${Date.now()}`;
let db: Database;
let redis: Redis;
let engine: Engine;
/** a v4 id whose first 48 bits read as this moment: it falls in the period partition the migration makes */
let inPeriod: string;

function withDatabase(url: string, database: string): string {
  const u = new URL(url);
  u.pathname = `/${database}`;
  return u.toString();
}

/** The migrations folder as it was before partitioning: its SQL files and its journal up to LAST_UNPARTITIONED. */
function unpartitionedMigrations(): string {
  const folder = mkdtempSync(path.join(tmpdir(), 'flowline-migrations-'));
  cpSync(MIGRATIONS_FOLDER, folder, { recursive: true });
  const journalFile = path.join(folder, 'meta', '_journal.json');
  const journal = JSON.parse(readFileSync(journalFile, 'utf8')) as { entries: { idx: number; tag: string }[] };
  const last = journal.entries.find((e) => e.tag === LAST_UNPARTITIONED)!.idx;
  journal.entries = journal.entries.filter((e) => e.idx <= last);
  writeFileSync(journalFile, JSON.stringify(journal));
  return folder;
}

beforeAll(async () => {
  const admin = new pg.Client({ connectionString: ADMIN_URL });
  await admin.connect();
  await admin.query(`CREATE DATABASE "${name}"`);
  await admin.end();
  db = openDatabase(withDatabase(ADMIN_URL, name), { max: 4 });
  const folder = unpartitionedMigrations();
  const client = await db.pool.connect();
  try {
    await migrate(drizzle(client), { migrationsFolder: folder });
  } finally {
    client.release();
    rmSync(folder, { recursive: true, force: true });
  }
  const hex = Date.now().toString(16).padStart(12, '0');
  inPeriod = `${hex.slice(0, 8)}-${hex.slice(8)}-4abc-8def-0123456789ab`;
  // Three finished runs as the old schema stored them (UUIDv4 ids, identity seq), with their nodes.
  await db.pool.query(`
    INSERT INTO definitions (org_id, name, latest_version) VALUES ('default', 'legacy_flow', 1);
    INSERT INTO definition_versions (definition_id, version, spec)
    SELECT id, 1, '{"name":"legacy_flow","nodes":[{"name":"step","type":"noop","params":{}}]}' FROM definitions WHERE name = 'legacy_flow';
    INSERT INTO workflow_runs (id, definition_id, definition_version, workflow_name, org_id, biz_id, status, idempotency_key,
                               trigger_time, created_at, updated_at, start_time, end_time)
    SELECT id, (SELECT id FROM definitions WHERE name = 'legacy_flow'), 1, 'legacy_flow', 'default', 'legacy-' || n, ${Status.SUCCESS},
           CASE WHEN n = 1 THEN 'legacy-key' END, now(), now(), now(), now(), now()
      FROM (VALUES (1, gen_random_uuid()), (2, gen_random_uuid()), (3, '${inPeriod}'::uuid)) AS r(n, id);
    INSERT INTO node_runs (id, run_id, name, type, position, status, updated_at, result)
    SELECT gen_random_uuid(), id, 'step', 'noop', 0, ${Status.SUCCESS}, now(), 'Completed.' FROM workflow_runs;
  `);
  await migrateDatabase(db);
  redis = connectRedis(TEST_REDIS_URL);
  engine = new Engine({ db, redis, queuePrefix: freshQueuePrefix() });
});

afterAll(async () => {
  await engine.close();
  redis.disconnect();
  await db.close();
  const admin = new pg.Client({ connectionString: ADMIN_URL });
  await admin.connect();
  await admin.query(`DROP DATABASE IF EXISTS "${name}" WITH (FORCE)`);
  await admin.end();
});

const legacyRuns = async () =>
  (await db.pool.query<{ id: string; seq: number; part: string }>(`SELECT id, seq, tableoid::regclass::text AS part FROM workflow_runs WHERE workflow_name = 'legacy_flow' ORDER BY seq`)).rows;

describe('migrating a database with runs to partitioned history', () => {
  it('keeps every run readable with its nodes, in the legacy partition or the period its id falls in', async () => {
    const runs = await legacyRuns();
    expect(runs).toHaveLength(3);
    for (const run of runs) {
      const read = await engine.getRun(uuidToShortId(run.id));
      expect(read.status).toBe(Status.SUCCESS);
      expect(read.nodes.map((n) => [n.name, n.result])).toEqual([['step', 'Completed.']]);
      expect(run.part).toMatch(run.id === inPeriod ? /^workflow_runs_p\d{8}$/ : /^workflow_runs_legacy$/);
    }
    const nodes = await db.pool.query<{ part: string }>(`SELECT tableoid::regclass::text AS part FROM node_runs WHERE run_id = $1`, [inPeriod]);
    expect(nodes.rows[0]!.part).toMatch(/^node_runs_p\d{8}$/);
  });

  it('lists and counts the old runs with the new ones, numbered after them, and keeps their idempotency keys', async () => {
    const before = await legacyRuns();
    const again = await engine.startRun({ workflow: 'legacy_flow', idempotencyKey: 'legacy-key' });
    expect(again.created).toBe(false);
    expect(again.run.id).toBe(uuidToShortId(before[0]!.id));

    const fresh = await engine.startRun({ workflow: 'legacy_flow', idempotencyKey: 'fresh-key' });
    expect(fresh.created).toBe(true);
    expect(fresh.run.seq).toBeGreaterThan(Math.max(...before.map((r) => Number(r.seq))));
    const listed = await engine.listRuns({ orgId: 'default', workflow: 'legacy_flow' }, { limit: 10 });
    expect(listed.runs.map((r) => r.id)).toEqual([fresh.run.id, ...before.map((r) => uuidToShortId(r.id)).reverse()]);
    expect(await engine.countRuns({ orgId: 'default', workflow: 'legacy_flow' })).toBe(4);
  });

  it("turns JIT off for the database's new sessions: a statement over many partitions is not compiled at each execution", async () => {
    const session = new pg.Client({ connectionString: withDatabase(ADMIN_URL, name) });
    await session.connect();
    try {
      expect((await session.query<{ jit: string }>('SHOW jit')).rows[0]!.jit).toBe('off');
    } finally {
      await session.end();
    }
  });
});
