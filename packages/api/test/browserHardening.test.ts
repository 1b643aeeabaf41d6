import type { LightMyRequestResponse } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startApiFixture, type ApiFixture } from './apiFixture.ts';

/**
 * Issue 21, finding 7: `/` and `/docs` sent no CSP, X-Frame-Options or
 * nosniff, `explorer_token` had no SameSite, and a POST carrying only that
 * cookie (what a form on another site sends) started a run.
 */
let api: ApiFixture;
let cookie: string;
let flowId: number;

async function connect(headers: Record<string, string> = {}): Promise<LightMyRequestResponse> {
  const explorer = await api.authority.issue({ kind: 'explorer', role: 'operator', orgId: 'browser' });
  return api.app.inject({
    method: 'POST',
    url: '/api-open/v1/connect',
    headers: { authorization: `Bearer ${Buffer.from(JSON.stringify([explorer.accessKey, explorer.secret])).toString('base64')}`, ...headers },
    payload: { address: '127.0.0.1', port: 9669 },
  });
}

const runsOfOrg = async () => (await api.engine.listRuns({ orgId: 'browser' }, { limit: 100 })).runs.length;

beforeAll(async () => {
  api = await startApiFixture();
  cookie = String((await connect()).headers['set-cookie']).split(';')[0]!;
  flowId = (await api.engine.getDefinition('BackupCluster', 'default')).id;
});
afterAll(async () => {
  await api.close();
});

describe('security headers', () => {
  it.each(['/', '/ui/app.js', '/ui/app.css', '/docs', '/docs/static/index.html', '/docs/static/swagger-ui-bundle.js'])(
    '%s: a CSP without inline script, no framing, no sniffing, no referrer',
    async (url) => {
      const response = await api.app.inject({ method: 'GET', url });
      expect(response.statusCode).toBeLessThan(400);
      const csp = String(response.headers['content-security-policy']);
      expect(csp).toContain("script-src 'self'");
      expect(csp).not.toMatch(/script-src[^;]*'unsafe-inline'/);
      expect(csp).toContain("frame-ancestors 'none'");
      expect(csp).toContain("default-src 'none'");
      expect(response.headers['x-frame-options']).toBe('DENY');
      expect(response.headers['x-content-type-options']).toBe('nosniff');
      expect(response.headers['referrer-policy']).toBe('no-referrer');
    },
  );

  it('gives data (every API surface, errors included) a policy that loads and runs nothing', async () => {
    for (const url of ['/v1/runs', '/api/v1/workflow/', '/api-open/v1/jobs', '/openapi.json', '/nowhere']) {
      const response = await api.app.inject({ method: 'GET', url });
      expect(response.headers['content-security-policy'], url).toBe("default-src 'none'; frame-ancestors 'none'");
      expect(response.headers['x-content-type-options'], url).toBe('nosniff');
    }
  });

  it('the UI page carries no inline script for the policy to allow', async () => {
    const page = (await api.app.inject({ method: 'GET', url: '/' })).body;
    for (const script of page.match(/<script[^>]*>[\s\S]*?<\/script>/g) ?? []) expect(script).toMatch(/^<script[^>]*\bsrc="[^"]+"[^>]*><\/script>$/);
    expect(page).not.toMatch(/\son[a-z]+=/i);
  });
});

describe('the explorer_token cookie', () => {
  it('is HttpOnly and SameSite=Lax, and Secure behind TLS', async () => {
    expect((await connect()).headers['set-cookie']).toMatch(/; HttpOnly; SameSite=Lax$/);
    expect((await connect({ 'x-forwarded-proto': 'https' })).headers['set-cookie']).toMatch(/; HttpOnly; SameSite=Lax; Secure$/);
  });

  it('alone does not start a run: a cookie-authenticated change needs JSON or X-Requested-With (403, 40304000)', async () => {
    const before = await runsOfOrg();
    for (const headers of [{ cookie }, { cookie, 'content-type': 'text/plain' }, { cookie, 'content-type': 'application/x-www-form-urlencoded' }]) {
      const forged = await api.app.inject({ method: 'POST', url: `/api-open/v1/workflows/${flowId}/jobs`, headers, payload: headers['content-type'] ? 'input=1' : undefined });
      expect(forged.statusCode, JSON.stringify(headers)).toBe(403);
      expect(forged.json()).toMatchObject({ code: 40304000 });
    }
    expect(await runsOfOrg()).toBe(before);

    const asDocumented = await api.app.inject({ method: 'POST', url: `/api-open/v1/workflows/${flowId}/jobs`, headers: { cookie, 'content-type': 'application/json' } });
    expect(asDocumented.json()).toMatchObject({ code: 0 });
    const withHeader = await api.app.inject({ method: 'POST', url: `/api-open/v1/workflows/${flowId}/jobs`, headers: { cookie, 'x-requested-with': 'XMLHttpRequest' } });
    expect(withHeader.json()).toMatchObject({ code: 0 });
    // the explorer_token header is no cookie a browser sends on its own: no proof needed
    const token = cookie.split('=')[1]!;
    const byHeader = await api.app.inject({ method: 'POST', url: `/api-open/v1/workflows/${flowId}/jobs`, headers: { explorer_token: token } });
    expect(byHeader.json()).toMatchObject({ code: 0 });
    expect(await runsOfOrg()).toBe(before + 3);
  });

  it('still reads with the cookie alone', async () => {
    expect((await api.app.inject({ method: 'GET', url: '/api-open/v1/jobs', headers: { cookie } })).statusCode).toBe(200);
  });
});
