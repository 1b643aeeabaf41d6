import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { tiemStatusFilter, tiemStatusOf } from '../src/dialects/tiem/tiemStatus.ts';
import { startApiFixture, type ApiFixture } from './apiFixture.ts';

// No worker: runs stay where the operations put them.
let api: ApiFixture;
let operator: string;

beforeAll(async () => {
  api = await startApiFixture();
  operator = await api.token('operator');
});
afterAll(async () => {
  await api.close();
});

const start = async () => (await api.call(operator, { method: 'POST', url: '/v1/runs', payload: { workflow: 'BackupCluster' } })).json().id as string;
const operate = (operation: string, payload: unknown, token = operator) =>
  api.call(token, { method: 'POST', url: `/api/v1/workflow/${operation}`, payload: payload as object });
const tiemStatus = async (id: string) => (await api.call(operator, { method: 'GET', url: `/api/v1/workflow/${id}` })).json().data.info.status;

describe('TiEM POST /api/v1/workflow/start|stop|cancel', () => {
  it('stop suspends a flow (Stopped) and start resumes it (Initializing)', async () => {
    const id = await start();
    const stopped = await operate('stop', { workFlowId: id });
    expect(stopped.statusCode).toBe(200);
    expect(stopped.json()).toEqual({ code: 0, message: 'OK', data: {} });
    expect(await tiemStatus(id)).toBe('Stopped');
    expect((await operate('stop', { workFlowId: id })).statusCode).toBe(200);
    expect((await operate('start', { workFlowId: id })).json()).toEqual({ code: 0, message: 'OK', data: {} });
    expect(await tiemStatus(id)).toBe('Initializing');
    expect((await operate('start', { workFlowId: id })).statusCode).toBe(200);
  });

  it('cancel cancels a flow; start, stop and cancel of an ended flow answer 409 with 40103, 40106, 40107', async () => {
    const id = await start();
    expect((await operate('cancel', { workFlowId: id })).json().code).toBe(0);
    expect(await tiemStatus(id)).toBe('Canceled');
    for (const [operation, code] of [['start', 40103], ['stop', 40106], ['cancel', 40107]] as const) {
      const response = await operate(operation, { workFlowId: id });
      expect(response.statusCode, operation).toBe(409);
      expect(response.json(), operation).toMatchObject({ code, data: {} });
    }
  });

  it('answers an unknown workFlowId with 404 and 40102, a missing one or bad JSON with 400 and 10004', async () => {
    const unknown = await operate('cancel', { workFlowId: 'AAAAAAAAAAAAAAAAAAAAAA' });
    expect(unknown.statusCode).toBe(404);
    expect(unknown.json().code).toBe(40102);
    for (const payload of [{}, { workFlowId: 7 }]) {
      const response = await operate('start', payload);
      expect(response.statusCode).toBe(400);
      expect(response.json()).toMatchObject({ code: 10004, data: {} });
    }
    const badJson = await api.call(operator, {
      method: 'POST',
      url: '/api/v1/workflow/start',
      headers: { 'content-type': 'application/json' },
      payload: '{"workFlowId":',
    });
    expect(badJson.statusCode).toBe(400);
    expect(badJson.json().code).toBe(10004);
  });

  it('does not operate another org\'s flow', async () => {
    const id = await start();
    const stranger = await api.token('operator', { orgId: 'elsewhere' });
    expect((await operate('cancel', { workFlowId: id }, stranger)).statusCode).toBe(404);
    expect(await tiemStatus(id)).toBe('Initializing');
  });
});

describe('TiEM status words', () => {
  it('shows a live run whose cancel was asked for as Canceling, an ended one by its end', () => {
    expect(tiemStatusOf(2, true)).toBe('Canceling');
    expect(tiemStatusOf(2, false)).toBe('Processing');
    expect(tiemStatusOf(8, true)).toBe('Canceled');
    expect(tiemStatusOf(10)).toBe('Finished');
    expect(tiemStatusOf(7)).toBe('Error');
  });

  it('maps filter words back: Finished to SUCCESS|SKIP, live words exclude Canceling', () => {
    expect(tiemStatusFilter('Finished')).toEqual({ statuses: [1, 10] });
    expect(tiemStatusFilter('Error')).toEqual({ statuses: [-1, 4, 7] });
    expect(tiemStatusFilter('Processing')).toEqual({ statuses: [2], cancelRequested: false });
    expect(tiemStatusFilter('Canceling')).toEqual({ statuses: [0, 2, 3, 5, 6, 9], cancelRequested: true });
    expect(tiemStatusFilter('Done')).toBeUndefined();
  });
});
