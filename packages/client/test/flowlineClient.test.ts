import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startApiFixture, type ApiFixture } from '../../api/test/apiFixture.ts';
import { FlowlineApiError, FlowlineClient } from '../src/flowlineClient.ts';

let api: ApiFixture;
let client: FlowlineClient;

beforeAll(async () => {
  api = await startApiFixture({ worker: true });
  const baseUrl = await api.app.listen({ port: 0, host: '127.0.0.1' });
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

  it('says who its token is', async () => {
    expect(await client.whoami()).toMatchObject({ role: 'operator', orgId: 'default' });
  });

  it('raises API errors with their stable code', async () => {
    const error = await client.run('AAAAAAAAAAAAAAAAAAAAAA').catch((e: unknown) => e);
    expect(error).toBeInstanceOf(FlowlineApiError);
    expect(error).toMatchObject({ status: 404, code: 'RUN_NOT_FOUND' });
  });
});
