import { Engine, Status, connectRedis, type Command, type RunEvent } from '@flowline/engine';
import { TEST_REDIS_URL, freshDatabase, freshQueuePrefix, type TestDatabase } from '@flowline/engine/testing';
import type { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { applyCommands, StaleDecision } from '../src/storage/applyCommands.ts';

/**
 * A node's success is decided on state read without locking the run, and its
 * write commits only if no other decision about the run came between (the
 * run's decisionSeq); any write that matches fewer rows than decided undoes
 * the whole statement.
 */
let database: TestDatabase;
let redis: Redis;
let engines: Engine[];

beforeAll(async () => {
  database = await freshDatabase();
  redis = connectRedis(TEST_REDIS_URL);
  // Two engines, as two worker processes: their group commits never batch each other's events.
  engines = [0, 1].map(() => new Engine({ db: database.db, redis, queuePrefix: freshQueuePrefix() }));
  await engines[0]!.applyDefinition({
    name: 'pair_join',
    nodes: [
      { name: 'b', type: 'noop' },
      { name: 'c', type: 'noop' },
      { name: 'd', type: 'noop', dependsOn: ['b', 'c'] },
    ],
  });
});

afterAll(async () => {
  for (const engine of engines) await engine.close();
  redis.disconnect();
  await database.drop();
});

/** A run of pair_join with b and c RUNNING, each under a lease of its own name. */
async function runWithParentsRunning() {
  const { run } = await engines[0]!.startRun({ workflow: 'pair_join' });
  await database.db.pool.query(`UPDATE workflow_runs SET status = ${Status.RUNNING} WHERE id = $1`, [run.uuid]);
  await database.db.pool.query(`UPDATE node_runs SET status = ${Status.RUNNING}, lease_owner = name WHERE run_id = $1 AND name IN ('b', 'c')`, [run.uuid]);
  return { uuid: run.uuid, definition: { definitionId: run.definitionId, definitionVersion: run.definitionVersion } };
}

const success = (node: string): RunEvent => ({ type: 'NODE_SUCCEEDED', node, attempt: 1, leaseOwner: node, outcome: { output: null } });
const releasesD = (commands: readonly Command[]) => commands.some((c) => c.type === 'SET_NODE' && c.node === 'd' && c.to === Status.READY);

describe('successes decided without the run lock', () => {
  it('two engines finishing a join’s two parents at once release the join exactly once, every time', async () => {
    for (let i = 0; i < 25; i++) {
      const { uuid, definition } = await runWithParentsRunning();
      const decided = await Promise.all([
        engines[0]!.transition(uuid, success('b'), { definition }),
        engines[1]!.transition(uuid, success('c'), { definition }),
      ]);
      expect(decided.filter(releasesD)).toHaveLength(1);
      const run = await engines[0]!.getRun(uuid);
      expect(Object.fromEntries(run.nodes.map((n) => [n.name, n.statusName]))).toEqual({ b: 'SUCCESS', c: 'SUCCESS', d: 'READY' });
    }
  });

  it('refuses a decision another decision came before, and writes none of it', async () => {
    const { uuid } = await runWithParentsRunning();
    const seq = async () => (await database.db.pool.query<{ s: number }>(`SELECT decision_seq AS s FROM workflow_runs WHERE id = $1`, [uuid])).rows[0]!.s;
    const seen = await seq();
    await engines[0]!.transition(uuid, success('b'));
    expect(await seq()).toBe(seen + 1);
    // Decided on the state before b's success: c alone looked like not releasing d.
    const stale = [{ type: 'SET_NODE', node: 'c', attempt: 1, from: Status.RUNNING, to: Status.SUCCESS, leaseOwner: 'c', outcome: { output: null } }] as const;
    await expect(applyCommands(database.db.pool, [{ runId: uuid, commands: stale, decisionSeq: seen }], new Date())).rejects.toBeInstanceOf(StaleDecision);
    expect((await engines[0]!.getRun(uuid)).nodes.find((n) => n.name === 'c')!.statusName).toBe('RUNNING');
    expect(await seq()).toBe(seen + 1);
  });

  it('undoes every write of the statement when one node write matches nothing', async () => {
    const { uuid } = await runWithParentsRunning();
    const commands: Command[] = [
      { type: 'SET_NODE', node: 'b', attempt: 1, from: Status.RUNNING, to: Status.SUCCESS, leaseOwner: 'b', outcome: { output: 1 } },
      // c's lease is not held by this owner: that write matches nothing
      { type: 'SET_NODE', node: 'c', attempt: 1, from: Status.RUNNING, to: Status.SUCCESS, leaseOwner: 'someone-else', outcome: { output: 2 } },
      { type: 'SET_RUN', from: Status.RUNNING, to: Status.SUCCESS },
    ];
    await expect(applyCommands(database.db.pool, [{ runId: uuid, commands, decisionSeq: (await database.db.pool.query<{ s: number }>(`SELECT decision_seq AS s FROM workflow_runs WHERE id = $1`, [uuid])).rows[0]!.s }], new Date())).rejects.toBeInstanceOf(StaleDecision);
    const run = await engines[0]!.getRun(uuid);
    expect(run.statusName).toBe('RUNNING');
    expect(run.nodes.find((n) => n.name === 'b')).toMatchObject({ statusName: 'RUNNING', output: null });
  });
});
