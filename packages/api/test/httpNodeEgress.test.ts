import { spawn, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { createServer, type IncomingHttpHeaders, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { EgressPolicy, type RunWithNodes } from '@flowline/engine';
import { guardLoopbackOnly, type LoopbackGuard } from '@flowline/engine/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startApiFixture, type ApiFixture } from './apiFixture.ts';

/**
 * Issue 21, finding 5, on real processes: a worker's http node against
 * servers on loopback — the only address these tests send packets to. One
 * fixture runs with the default policy (loopback denied), one with
 * FLOWLINE_HTTP_ALLOW=127.0.0.1.
 */
const SECRET = 's3cr3t-token-value-0123456789';
const MB = 1024 * 1024;

let denying: ApiFixture;
let allowing: ApiFixture;
let server: Server;
/** Every connect of this process outside loopback throws before sending: a denied target is provably never reached. */
let guard: LoopbackGuard;
let port: number;
/** what the loopback server received, by path */
const received = new Map<string, IncomingHttpHeaders>();
/**
 * A server of 200 MB bodies in a process of its own, so the RSS measured is
 * the worker's alone. It prints its port, then the bytes it sent per response.
 */
const HUGE_SERVER = `
  const chunk = Buffer.alloc(64 * 1024, 'x');
  const server = require('node:http').createServer((request, response) => {
    let sent = 0;
    const pump = () => {
      while (sent < 200 * 1024 * 1024) {
        sent += chunk.length;
        if (!response.write(chunk)) return void response.once('drain', pump);
      }
      response.end();
    };
    response.on('close', () => { console.log('sent ' + sent); sent = Infinity; });
    pump();
  });
  server.listen(0, '127.0.0.1', () => console.log('port ' + server.address().port));
`;
let huge: ChildProcess;
let hugePort: number;
const hugeSent: number[] = [];

beforeAll(async () => {
  guard = guardLoopbackOnly();
  server = createServer((request, response) => {
    received.set(request.url!, request.headers);
    if (request.url === '/echo') return void response.end(JSON.stringify(request.headers));
    if (request.url === '/to-metadata') return void response.writeHead(302, { location: 'http://169.254.169.254/latest/meta-data/' }).end();
    if (request.url === '/to-v6-loopback') return void response.writeHead(307, { location: `http://[::1]:${port}/echo` }).end();
    if (request.url === '/to-echo') return void response.writeHead(301, { location: '/echo' }).end();
    if (request.url === '/nul') return void response.end('before\u0000after');
    response.end('ok');
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  port = (server.address() as AddressInfo).port;
  huge = spawn(process.execPath, ['-e', HUGE_SERVER], { stdio: ['ignore', 'pipe', 'inherit'] });
  huge.stdout!.setEncoding('utf8').on('data', (text: string) => {
    for (const [, word, value] of text.matchAll(/(port|sent) (\d+)/g)) {
      if (word === 'port') hugePort = Number(value);
      else hugeSent.push(Number(value));
    }
  });
  while (hugePort === undefined) await once(huge.stdout!, 'data');
  denying = await startApiFixture({ worker: true });
  allowing = await startApiFixture({ worker: true, http: { egress: EgressPolicy.of('127.0.0.1'), maxResponseBytes: 256 * MB } });
}, 60_000);
afterAll(async () => {
  guard.restore();
  await denying?.close();
  await allowing?.close();
  server?.close();
  huge?.kill();
});

let definitions = 0;
/** Defines a one-node http workflow in the fixture's shared catalog and runs it to its end. */
async function runHttp(api: ApiFixture, params: Record<string, unknown>, token = api.adminToken): Promise<RunWithNodes> {
  const name = `Call${++definitions}`;
  const defined = await api.call(token, { method: 'POST', url: '/v1/definitions', payload: { name, nodes: [{ name: 'call', type: 'http', params }] } });
  expect(defined.statusCode, defined.body).toBe(201);
  const started = await api.call(token, { method: 'POST', url: '/v1/runs', payload: { workflow: name } });
  return api.waitForEnd(started.json().id, 30_000);
}

describe('the http node under the default egress policy', () => {
  it.each(['127.0.0.1', 'localhost', '0', '2130706433', '[::ffff:127.0.0.1]', '[::1]'])('refuses loopback spelled %s, sending nothing', async (host) => {
    received.clear();
    const run = await runHttp(denying, { url: `http://${host}:${port}/spelled` });
    expect(run.statusName).toBe('FAIL');
    expect(run.nodes[0]!.error).toMatch(/egress to .* denied/);
    expect(received.has('/spelled')).toBe(false);
  });

  it("refuses flowline's own /metrics", async () => {
    const run = await runHttp(denying, { url: `http://127.0.0.1:${port}/metrics` });
    expect(run.nodes[0]!.error).toMatch(/loopback/);
  });
});

describe('the http node with FLOWLINE_HTTP_ALLOW=127.0.0.1', () => {
  it('calls the allowed target and records status and excerpt', async () => {
    const run = await runHttp(allowing, { url: `http://127.0.0.1:${port}/plain` });
    expect(run.statusName).toBe('SUCCESS');
    expect(run.nodes[0]!.result).toContain(`GET http://127.0.0.1:${port}/plain -> 200`);
    expect(run.nodes[0]!.output).toEqual({ status: 200, body: 'ok' });
  });

  it('checks every redirect: one to the metadata address or to a loopback the list does not name is refused', async () => {
    for (const path of ['/to-metadata', '/to-v6-loopback']) {
      const run = await runHttp(allowing, { url: `http://127.0.0.1:${port}${path}` });
      expect(run.statusName, path).toBe('FAIL');
      expect(run.nodes[0]!.error).toMatch(/egress to (169\.254\.169\.254|::1) denied/);
    }
    const followed = await runHttp(allowing, { url: `http://127.0.0.1:${port}/to-echo` });
    expect(followed.statusName).toBe('SUCCESS');
    // Refused by the policy before any connect: the guard saw no attempt to leave loopback.
    expect(guard.refused).toEqual([]);
  });

  it('sends a secretRef header opened from a sealed secret credential, and no view or result shows the value', async () => {
    const issued = await allowing.call(allowing.adminToken, { method: 'POST', url: '/v1/credentials', payload: { kind: 'secret', name: 'partner_token', secret: SECRET } });
    expect(issued.statusCode, issued.body).toBe(201);
    const run = await runHttp(allowing, { url: `http://127.0.0.1:${port}/echo`, headers: { authorization: { secretRef: 'partner_token' } } });
    expect(run.statusName).toBe('SUCCESS');
    expect(received.get('/echo')!.authorization).toBe(SECRET);
    // the echo server sent the header back: the result and the output carry it redacted
    expect(run.nodes[0]!.result).toContain('"authorization":"[redacted]"');
    const reader = await allowing.token('reader');
    const views = await Promise.all([
      allowing.call(reader, { method: 'GET', url: `/v1/runs/${run.id}` }),
      allowing.call(reader, { method: 'GET', url: `/v1/definitions/${run.workflow}` }),
      allowing.call(reader, { method: 'GET', url: `/api/v1/workflow/${run.id}` }),
    ]);
    for (const view of views) {
      expect(view.statusCode).toBe(200);
      expect(view.body).not.toContain(SECRET);
    }
    expect(views[1]!.json().nodes[0].params.headers).toEqual({ authorization: { secretRef: 'partner_token' } });
  });

  it('fails a node whose secretRef names no live secret of its org', async () => {
    const run = await runHttp(allowing, { url: `http://127.0.0.1:${port}/echo`, headers: { 'x-api-key': { secretRef: 'nope' } } });
    expect(run.statusName).toBe('FAIL');
    expect(run.nodes[0]!.error).toMatch(/no live secret named "nope"/);
  });

  it('refuses a definition with an inline credential header, and redacts one stored before that rule', async () => {
    const inline = { name: 'Inline', nodes: [{ name: 'call', type: 'http', params: { url: 'https://api.example/', headers: { Authorization: 'Bearer inline-secret' } } }] };
    const refused = await allowing.call(allowing.adminToken, { method: 'POST', url: '/v1/definitions', payload: inline });
    expect(refused.statusCode).toBe(400);
    expect(refused.json().error).toMatchObject({ code: 'DAG_INVALID', details: { node: 'call' } });
    expect(refused.json().error.message).toMatch(/secretRef/);

    // a definition from before: stored with the header inline, as older flowline allowed
    const legacy = { name: 'Legacy', nodes: [{ name: 'call', type: 'http', params: { url: `http://127.0.0.1:${port}/echo`, headers: { 'x-api-key': 'k' } } }] };
    expect((await allowing.call(allowing.adminToken, { method: 'POST', url: '/v1/definitions', payload: { ...legacy, nodes: [{ ...legacy.nodes[0], params: { url: legacy.nodes[0]!.params.url } }] } })).statusCode).toBe(201);
    await allowing.engineOptions.db.pool.query(
      `UPDATE definition_versions v SET spec = $1 FROM definitions d WHERE d.id = v.definition_id AND d.name = 'Legacy'`,
      [JSON.stringify({ ...legacy, nodes: [{ ...legacy.nodes[0], params: { ...legacy.nodes[0]!.params, headers: { 'x-api-key': 'legacy-inline-secret' } } }] })],
    );
    const started = await allowing.call(allowing.adminToken, { method: 'POST', url: '/v1/runs', payload: { workflow: 'Legacy' } });
    const run = await allowing.waitForEnd(started.json().id);
    expect(run.statusName).toBe('SUCCESS');
    expect(received.get('/echo')!['x-api-key']).toBe('legacy-inline-secret');
    const view = await allowing.call(allowing.adminToken, { method: 'GET', url: `/v1/runs/${run.id}` });
    expect(view.body).not.toContain('legacy-inline-secret');
    expect(view.json().nodes[0].parameters.headers['x-api-key']).toBe('[redacted]');
  });

  it('stores a response holding NUL', async () => {
    const run = await runHttp(allowing, { url: `http://127.0.0.1:${port}/nul` });
    expect(run.statusName).toBe('SUCCESS');
    expect(run.nodes[0]!.output).toEqual({ status: 200, body: 'before\uFFFDafter' });
  });

  /** Runs `call` while sampling this process's RSS (the worker's); the peak's rise over where it was, in bytes. */
  async function rssRise(call: () => Promise<void>): Promise<number> {
    const before = process.memoryUsage().rss;
    let peak = before;
    const sampler = setInterval(() => (peak = Math.max(peak, process.memoryUsage().rss)), 5);
    try {
      await call();
    } finally {
      clearInterval(sampler);
    }
    return Math.max(peak, process.memoryUsage().rss) - before;
  }

  it('reads a 200 MB response only up to FLOWLINE_HTTP_MAX_RESPONSE_BYTES (1 MB by default): RSS stays within 50 MB', async () => {
    const capped = await startApiFixture({ worker: true, http: { egress: EgressPolicy.of('127.0.0.1') } });
    try {
      const rise = await rssRise(async () => {
        const run = await runHttp(capped, { url: `http://127.0.0.1:${hugePort}/huge` });
        expect(run.statusName).toBe('SUCCESS');
        expect(run.nodes[0]!.result).toContain(`(stopped reading the response after ${MB} bytes)`);
      });
      // the server saw the connection closed long before the body's end
      await expect.poll(() => hugeSent.length).toBe(1);
      console.log(`200 MB response, default cap: RSS +${(rise / MB).toFixed(1)} MB, ${(hugeSent[0]! / MB).toFixed(1)} MB sent before the node hung up`);
      expect(hugeSent[0]).toBeLessThan(20 * MB);
      expect(rise).toBeLessThan(50 * MB);
    } finally {
      await capped.close();
    }
  });

  it('streams all of a 200 MB response when the cap allows it, keeping 2 KB: RSS rises by a fraction of the body', async () => {
    const rise = await rssRise(async () => {
      const run = await runHttp(allowing, { url: `http://127.0.0.1:${hugePort}/huge` });
      expect(run.statusName).toBe('SUCCESS');
      expect((run.nodes[0]!.output as { body: string }).body).toHaveLength(2049); // the 2 KB excerpt and its ellipsis
    });
    await expect.poll(() => hugeSent.length).toBe(2);
    console.log(`200 MB response, 256 MB cap: RSS +${(rise / MB).toFixed(1)} MB (garbage of 64 KB reads, collected as it goes), ${(hugeSent[1]! / MB).toFixed(0)} MB read`);
    expect(hugeSent[1]).toBe(200 * MB);
    expect(rise).toBeLessThan(100 * MB);
  }, 60_000);
});
