import pg from 'pg';
import { freshDatabase, type TestDatabase } from '@flowline/engine/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { holdLivenessLock, listLiveWorkerKeys, livenessKeySql } from '../src/storage/workerLiveness.ts';

let here: TestDatabase;
let elsewhere: TestDatabase;

beforeAll(async () => {
  [here, elsewhere] = await Promise.all([freshDatabase(), freshDatabase()]);
});

afterAll(async () => {
  await Promise.all([here.drop(), elsewhere.drop()]);
});

async function holding(database: TestDatabase, owner: string): Promise<pg.Client> {
  const client = new pg.Client({ connectionString: database.url });
  await client.connect();
  await holdLivenessLock(client, owner);
  return client;
}

describe("workers' liveness", () => {
  it("sees this database's workers only: another installation on the same server is not this one's to watch", async () => {
    const mine = await holding(here, 'worker-here');
    const theirs = await holding(elsewhere, 'worker-elsewhere');
    try {
      const keyOf = async (owner: string) => Number((await here.db.pool.query<{ key: string }>(`SELECT ${livenessKeySql('$1::text')} AS key`, [owner])).rows[0]!.key);
      const live = await listLiveWorkerKeys(here.db.pool);
      expect(live.has(await keyOf('worker-here'))).toBe(true);
      expect(live.has(await keyOf('worker-elsewhere'))).toBe(false);
    } finally {
      await Promise.all([mine.end(), theirs.end()]);
    }
  });
});
