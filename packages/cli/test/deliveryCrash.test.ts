import { Engine, SecretSeal, connectRedis, verifyWebhookSignature, type DeliveryRecord } from '@flowline/engine';
import { TEST_REDIS_URL, freshDatabase, freshQueuePrefix, spawnFlowline, startWebhookReceiver, type FlowlineProcess, type TestDatabase } from '@flowline/engine/testing';
import type { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

/**
 * A webhook delivery survives its sender: real `flowline worker` processes,
 * the first SIGKILLed while its POST is in flight (the receiver holding it
 * unanswered). The delivery's claim was a lease, so once it lapses another
 * worker sends the event again — the same event id, the same signed body —
 * and the receiver, deduplicating on the id, has it once.
 */

const SEAL_KEY = 'delivery-crash-seal-key-0123456789abcdef';
let database: TestDatabase;
let redis: Redis;
let engine: Engine;
const prefix = freshQueuePrefix();
const processes: FlowlineProcess[] = [];

beforeAll(async () => {
  database = await freshDatabase();
  redis = connectRedis(TEST_REDIS_URL);
  engine = new Engine({ db: database.db, redis, queuePrefix: prefix, seal: new SecretSeal(SEAL_KEY) });
});
afterAll(async () => {
  for (const p of processes) await p.kill('SIGKILL');
  const keys = await redis.keys(`{${prefix}}*`);
  if (keys.length) await redis.del(...keys);
  await engine.close();
  redis.disconnect();
  await database.drop();
});

describe('a worker killed mid-delivery', () => {
  it('the event is still delivered, by another worker, under the same event id', async () => {
    const receiver = await startWebhookReceiver();
    receiver.answer((delivery) => (receiver.received.indexOf(delivery) === 0 ? 'hold' : 204));
    const definition = await engine.createDefinition(
      { name: 'CrashNotify', nodes: [{ name: 'boom', type: 'fail', params: { message: 'boom' } }], notify: [{ on: ['FAIL'], webhook: receiver.url }] },
      'default',
    );
    const secret = definition.issuedWebhooks![0]!.secret;
    const env = {
      DATABASE_URL: database.url,
      REDIS_URL: TEST_REDIS_URL,
      FLOWLINE_QUEUE_PREFIX: prefix,
      FLOWLINE_SEAL_KEY: SEAL_KEY,
      FLOWLINE_HTTP_ALLOW: '127.0.0.1',
      FLOWLINE_NOTIFY_TIMEOUT_MS: '2000',
      FLOWLINE_NOTIFY_RETRY_MS: '200',
      FLOWLINE_OPERATIONS_POLL_MS: '100',
    };
    const first = spawnFlowline('worker', env);
    processes.push(first);
    await first.ready;

    const { run } = await engine.startRun({ workflow: 'CrashNotify' });
    const [held] = await receiver.waitFor(1, 30_000);
    await first.kill('SIGKILL');
    const killedAt = Date.now();

    const second = spawnFlowline('worker', env);
    processes.push(second);
    await second.ready;
    const [, again] = await receiver.waitFor(2, 30_000);
    console.log(`delivered again ${((again!.at - killedAt) / 1000).toFixed(1)} s after the kill`);

    // the same event, the same body, each signed
    expect(JSON.parse(again!.body).id).toBe(JSON.parse(held!.body).id);
    expect(again!.body).toBe(held!.body);
    for (const d of [held!, again!]) expect(verifyWebhookSignature(secret, d.headers['flowline-signature'] as string, d.body)).toBe(true);
    expect(new Set(receiver.received.map((d) => JSON.parse(d.body).id)).size).toBe(1);

    const deliveries: DeliveryRecord[] = [];
    for (let i = 0; i < 100; i++) {
      deliveries.splice(0, deliveries.length, ...(await engine.runNotifications(run.id, 'default')));
      if (deliveries[0]?.status === 'DELIVERED') break;
      await new Promise((r) => setTimeout(r, 50));
    }
    // the killed sender's attempt left no record but its count; the second's is the one logged
    expect(deliveries).toMatchObject([{ status: 'DELIVERED', attempts: 2, attemptLog: [{ attempt: 2, httpStatus: 204 }] }]);
    await receiver.close();
  }, 90_000);
});
