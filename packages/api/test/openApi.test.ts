import { Validator } from '@seriousme/openapi-schema-validator';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startApiFixture, type ApiFixture } from './apiFixture.ts';

let api: ApiFixture;

beforeAll(async () => {
  api = await startApiFixture();
});
afterAll(async () => {
  await api.close();
});

describe('/openapi.json', () => {
  it('is a valid OpenAPI 3 document', async () => {
    const document = (await api.app.inject({ method: 'GET', url: '/openapi.json' })).json();
    const result = await new Validator().validate(document);
    expect(result.errors ?? []).toEqual([]);
    expect(result.valid).toBe(true);
  });

  it('lists every native route', async () => {
    const document = (await api.app.inject({ method: 'GET', url: '/openapi.json' })).json();
    const documented = Object.entries(document.paths as Record<string, Record<string, unknown>>).flatMap(([path, ops]) =>
      Object.keys(ops).map((method) => `${method.toUpperCase()} ${path}`),
    );
    const routes = api.app
      .printRoutes({ commonPrefix: false })
      .split('\n')
      .filter((line) => line.includes('/v1/'));
    expect(routes.length).toBeGreaterThan(0);
    for (const expected of [
      'POST /v1/runs',
      'POST /v1/runs:batch',
      'GET /v1/runs',
      'GET /v1/runs/{id}',
      'POST /v1/runs/{id}/cancel',
      'POST /v1/runs/{id}/suspend',
      'POST /v1/runs/{id}/resume',
      'POST /v1/runs/{id}/rerun',
      'POST /v1/runs/{id}/nodes/{node}/skip',
      'POST /v1/definitions',
      'GET /v1/definitions',
      'GET /v1/definitions/{name}',
      'PUT /v1/definitions/{name}',
      'DELETE /v1/definitions/{name}',
      'GET /v1/handlers',
      'POST /v1/credentials',
      'GET /v1/credentials',
      'DELETE /v1/credentials/{id}',
    ]) {
      expect(documented).toContain(expected);
    }
  });

  it('is browsable at /docs', async () => {
    const response = await api.app.inject({ method: 'GET', url: '/docs/' });
    expect(response.statusCode).toBe(200);
    expect(response.headers['content-type']).toContain('text/html');
  });
});
