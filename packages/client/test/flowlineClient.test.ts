import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startApiFixture, type ApiFixture } from '../../api/test/apiFixture.ts';
import { createServer } from 'node:net';
import { FlowlineApiError, FlowlineClient } from '../src/flowlineClient.ts';
import { FlowlineUnreachable } from '../src/httpTransport.ts';

let api: ApiFixture;
let client: FlowlineClient;
let baseUrl: string;

beforeAll(async () => {
  api = await startApiFixture({ worker: true });
  baseUrl = await api.app.listen({ port: 0, host: '127.0.0.1' });
  client = new FlowlineClient({ baseUrl, token: await api.token('operator') });
});
afterAll(async () => {
  await api.close();
});

describe('FlowlineClient over real HTTP', () => {
  it('starts a BackupCluster and waits for it to finish', async () => {
    const run = await client.start('BackupCluster', { bizId: 'cluster-7', bizType: 'cluster' });
    const done = await client.waitFor(run.id, { intervalMs: 20 });
    expect(done.status).toBe('SUCCESS');
    expect(done.nodes.map((n) => [n.name, n.status])).toEqual([
      ['backup', 'SUCCESS'],
      ['updateBackupRecord', 'SUCCESS'],
      ['end', 'SUCCESS'],
    ]);
    const page = await client.runs({ bizId: 'cluster-7' });
    expect(page.items.map((r) => r.id)).toEqual([run.id]);
  });

  it('starts more than 1,000 runs with startMany, as consecutive batches, one result per start in order', async () => {
    const starts = Array.from({ length: 1203 }, (_, i) => ({ workflow: i === 1100 ? 'Nope' : 'BackupCluster', bizId: `many-${i}` }));
    const answer = await client.startMany(starts);
    expect(answer).toMatchObject({ created: 1202, existing: 0, failed: 1 });
    expect(answer.items).toHaveLength(1203);
    expect(answer.items[1100]).toMatchObject({ error: { code: 'DEFINITION_NOT_FOUND' } });
    const last = answer.items[1202]!;
    expect('run' in last && last.run.bizId).toBe('many-1202');
    expect((await client.waitFor('run' in last ? last.run.id : '', { intervalMs: 50, timeoutMs: 60_000 })).status).toBe('SUCCESS');
  }, 90_000);

  it('says who its token is', async () => {
    expect(await client.whoami()).toMatchObject({ role: 'operator', orgId: 'default' });
  });

  it('raises API errors with their stable code', async () => {
    const error = await client.run('AAAAAAAAAAAAAAAAAAAAAA').catch((e: unknown) => e);
    expect(error).toBeInstanceOf(FlowlineApiError);
    expect(error).toMatchObject({ status: 404, code: 'RUN_NOT_FOUND' });
  });

  it('says the API is unreachable, with the system code, when nothing listens (node:http and a fetch alike)', async () => {
    // A loopback port just freed: nothing listens there.
    const port = await new Promise<number>((resolve) => {
      const server = createServer().listen(0, '127.0.0.1', () => {
        const { port } = server.address() as { port: number };
        server.close(() => resolve(port));
      });
    });
    for (const options of [{}, { fetch: globalThis.fetch }]) {
      const error = await new FlowlineClient({ baseUrl: `http://127.0.0.1:${port}`, token: 't', ...options }).whoami().catch((e: unknown) => e);
      expect(error).toBeInstanceOf(FlowlineUnreachable);
      expect(error).toMatchObject({ reason: 'ECONNREFUSED' });
    }
  });

  it('answers the same through a caller-given fetch as through node:http', async () => {
    const viaFetch = new FlowlineClient({ baseUrl, token: await api.token('operator'), fetch: globalThis.fetch });
    expect(await viaFetch.whoami()).toMatchObject({ role: 'operator' });
    await expect(viaFetch.run('AAAAAAAAAAAAAAAAAAAAAA')).rejects.toMatchObject({ status: 404, code: 'RUN_NOT_FOUND' });
  });
});
