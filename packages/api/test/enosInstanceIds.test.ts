import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startApiFixture, type ApiFixture } from './apiFixture.ts';

const ORG = 'burst-org';
const PATH = '/batch-processing-service/v2.1/flowInstances';

let api: ApiFixture;
let token: string;

beforeAll(async () => {
  api = await startApiFixture({ timeZone: 'Asia/Shanghai' });
  token = await api.token('operator', { kind: 'enos', orgId: ORG });
});
afterAll(async () => {
  await api.close();
});

describe('EnOS instance ids under a burst of starts', () => {
  it('100 concurrent starts of one flow all succeed and get distinct <flowId>-<yyyyMMddHHmmss> ids', async () => {
    const started = await Promise.all(
      Array.from({ length: 100 }, () => api.engine.startRun({ workflow: 'BackupCluster', orgId: ORG })),
    );
    expect(started.every((s) => s.created)).toBe(true);
    const response = await api.app.inject({
      method: 'POST',
      url: `${PATH}?action=search&userId=u1&orgId=${ORG}`,
      headers: { 'apim-accesstoken': token },
      payload: { type: 0, owner: '', status: '', fromTriggerTime: 0, toTriggerTime: 4_102_444_800_000, pagination: { pageNo: 1, pageSize: 100 } },
    });
    expect(response.statusCode, response.body).toBe(200);
    const ids: string[] = response.json().data.flowInsts.map((i: { instanceId: string }) => i.instanceId);
    expect(ids).toHaveLength(100);
    expect(new Set(ids).size).toBe(100);
    for (const id of ids) expect(id).toMatch(/^\d+-\d{14}$/);

    // Every id reads back to its own run.
    const some = ids.slice(0, 5);
    for (const id of some) {
      const got = await api.app.inject({ method: 'GET', url: `${PATH}?action=get&flowInstId=${id}&userId=u1&orgId=${ORG}`, headers: { 'apim-accesstoken': token } });
      expect(got.json().data.instanceId).toBe(id);
    }
  });
});
