import { connectRedis } from '../queue/redisConnection.ts';
import { Engine, type EngineOptions } from '../runtime/engine.ts';
import { TEST_REDIS_URL, freshDatabase, freshQueuePrefix, type TestDatabase } from './testDatabase.ts';

/** An engine on a fresh test database and a queue prefix of its own, no worker: what an engine-level test starts, decides and reads with. */
export interface TestEngine {
  readonly database: TestDatabase;
  readonly engine: Engine;
  /** Closes the engine and its Redis connection, and drops the database. */
  close(): Promise<void>;
}

/** Sets up a TestEngine; `options` override the engine's (a clock, say). */
export async function freshTestEngine(options: Partial<EngineOptions> = {}): Promise<TestEngine> {
  const database = await freshDatabase();
  const redis = connectRedis(TEST_REDIS_URL);
  const engine = new Engine({ db: database.db, redis, queuePrefix: freshQueuePrefix(), ...options });
  return {
    database,
    engine,
    close: async () => {
      await engine.close();
      redis.disconnect();
      await database.drop();
    },
  };
}
