import { Engine } from '@flowline/engine';
import { freshTestEngine, type TestEngine } from '@flowline/engine/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

let fixture: TestEngine;
let clock = Date.now();
let engine: Engine;

beforeAll(async () => {
  ({ engine } = fixture = await freshTestEngine({ now: () => new Date(clock) }));
});

afterAll(() => fixture.close());

describe('which handler types a live worker serves', () => {
  it('answers from Postgres, and reuses an answer for a second: a start through the API asks about its roots every time', async () => {
    expect([...(await engine.servedHandlerTypes(['noop', 'sleep']))]).toEqual([]);
    const worker = await engine.registerWorker({ id: 'worker-served-test', leaseMs: 30_000 });
    try {
      // Asked again within the second: the answer kept, as stale as a heartbeat may be.
      expect([...(await engine.servedHandlerTypes(['noop']))]).toEqual([]);
      clock += 1_001;
      expect([...(await engine.servedHandlerTypes(['noop', 'sleep', 'nobody.serves.this']))].sort()).toEqual(['noop', 'sleep']);
    } finally {
      await worker.stop();
    }
  });
});
