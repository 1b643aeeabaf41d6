import { randomBytes } from 'node:crypto';
import { buildServer, camSafeUrlEncode, cosSignature, pandoraSignature } from '@flowline/api';
import { CredentialAuthority, DEFAULT_ORG, SecretSeal, type IssuedCredential } from '@flowline/engine';
import fc from 'fast-check';
import type { FastifyInstance, InjectOptions } from 'fastify';
import type { ChaosStack } from './chaosStack.ts';
import { outcome, type ChaosOutcome } from './chaosOutcome.ts';

/**
 * Property: no request a client can send makes flowline answer 5xx, on any
 * route of any surface — native and every registered dialect — and the server
 * stays up. Routes are read from the server itself, so a new dialect is fuzzed
 * as soon as it is registered. Requests carry no, junk or valid credentials of
 * every scheme (bearer, EnOS token, Explorer session, COS and Pandora
 * signatures computed over the generated request), so they reach past each
 * dialect's auth into its handlers.
 */
export interface FuzzReport {
  readonly requests: number;
  readonly routes: number;
  /** signed requests (COS, Pandora) that got past the signature check: proof the fuzzer reaches those handlers */
  readonly signedAccepted: number;
  /** the first request answered 5xx, shrunk to a small case; undefined when none */
  readonly counterexample: string | undefined;
}

type Caller = 'none' | 'junk' | 'reader' | 'admin' | 'enos' | 'explorer' | 'signed';

interface Credentials {
  readonly reader: string;
  readonly admin: string;
  readonly enos: string;
  readonly explorerCookie: string;
  readonly cos: IssuedCredential;
  readonly qiniu: IssuedCredential;
}

/** Parses fastify's route tree print-out ("├── /v1/runs (GET, HEAD, POST)") into method + path. */
function listRoutes(printed: string): { method: string; url: string }[] {
  const found: { method: string; url: string }[] = [];
  for (const line of printed.split('\n')) {
    const match = /(\/\S*) \(([A-Z, ]+)\)/.exec(line);
    if (!match) continue;
    for (const method of match[2]!.split(', ')) if (method !== 'HEAD') found.push({ method, url: match[1]! });
  }
  return found;
}

const hostile = fc.oneof(
  fc.string(),
  fc.string({ unit: 'grapheme', maxLength: 50 }),
  fc.constantFrom('', ' ', '0', '-1', '1e309', 'NaN', 'null', '[]', '{}', '%', '%zz', '../../etc/passwd', 'A'.repeat(5000), '\u0000', '\uD800', '🙂', "' OR 1=1 --", 'Running', 'i00000000000000000000000000000000'),
  fc.integer().map(String),
  fc.double().map(String),
);

const jsonish = fc.oneof(
  fc.jsonValue({ maxDepth: 4 }),
  fc.object({ maxDepth: 3 }),
  fc.record({ workflow: hostile, bizId: hostile, input: fc.jsonValue(), idempotencyKey: hostile, workFlowId: hostile }, { requiredKeys: [] }),
  fc.record({ name: hostile, nodes: fc.array(fc.record({ name: hostile, type: hostile, dependsOn: fc.array(hostile) }, { requiredKeys: [] })) }, { requiredKeys: [] }),
  fc.record({ type: fc.integer(), status: hostile, pagination: fc.record({ pageNo: fc.integer(), pageSize: fc.integer(), sorters: fc.array(fc.record({ field: hostile, order: hostile })) }) }, { requiredKeys: [] }),
);

const body = fc.oneof(
  jsonish.map((v) => ({ payload: JSON.stringify(v) ?? 'null', type: 'application/json' })),
  fc.string().map((s) => ({ payload: s, type: 'application/json' })),
  fc.string().map((s) => ({ payload: s, type: 'text/plain' })),
  fc.string().map((s) => ({ payload: `<Request><a>${s}</a></Request>`, type: 'application/xml' })),
  fc.uint8Array({ maxLength: 200 }).map((b) => ({ payload: Buffer.from(b), type: 'application/json' })),
  fc.constant({ payload: `${'['.repeat(50_000)}${']'.repeat(50_000)}`, type: 'application/json' }),
  fc.constant({ payload: '{"a":1}', type: 'multipart/form-data; boundary=x' }),
);

const QUERY_KEYS = ['page', 'pageSize', 'limit', 'cursor', 'status', 'filter', 'size', 'nextToken', 'action', 'orgId', 'userId', 'from', 'to', 'workflowId', 'states', 'orderByTime', 'startCreationTime', 'name', 'flowInstId', 'count'];

/** Percent-encodes a path value; a lone surrogate becomes the invalid UTF-8 `%ED%A0%80`, itself a good probe. */
function encodeSegment(value: string): string {
  try {
    return encodeURIComponent(value);
  } catch {
    return '%ED%A0%80';
  }
}

async function issueCredentials(app: FastifyInstance, authority: CredentialAuthority): Promise<Credentials> {
  const issue = (kind: IssuedCredential['kind'], role: IssuedCredential['role']) => authority.issue({ kind, role, orgId: DEFAULT_ORG });
  const explorer = await issue('explorer', 'admin');
  const connected = await app.inject({
    method: 'POST',
    url: '/api-open/v1/connect',
    headers: { authorization: `Bearer ${Buffer.from(JSON.stringify([explorer.accessKey, explorer.secret])).toString('base64')}` },
    payload: { address: '127.0.0.1', port: 9669 },
  });
  return {
    reader: (await issue('bearer', 'reader')).secret,
    admin: (await issue('bearer', 'admin')).secret,
    enos: (await issue('enos', 'admin')).secret,
    explorerCookie: String(connected.headers['set-cookie'] ?? '').split(';')[0]!,
    cos: await issue('cos', 'admin'),
    qiniu: await issue('qiniu', 'admin'),
  };
}

/** Signs a generated request with the scheme of the surface it goes to (COS for Tencent CI paths, Pandora for /v2/workflows). */
function sign(request: { method: string; path: string; query: URLSearchParams; headers: Record<string, string> }, credentials: Credentials): void {
  const url = `${request.path}${request.query.size ? `?${request.query}` : ''}`;
  if (request.path.startsWith('/v2/workflows')) {
    request.headers.date = new Date().toUTCString();
    const signature = pandoraSignature(credentials.qiniu.secret, { method: request.method, headers: request.headers, url });
    request.headers.authorization = `Pandora ${credentials.qiniu.accessKey}:${signature.toString('base64url')}=`;
    return;
  }
  try {
    const now = Math.floor(Date.now() / 1000);
    const window = `${now - 60};${now + 600}`;
    const query = new Map(request.query);
    const auth = {
      accessKey: credentials.cos.accessKey!,
      signTime: window,
      keyTime: window,
      headerList: [],
      paramList: [...query.keys()].map((k) => camSafeUrlEncode(k).toLowerCase()),
      signature: '',
    };
    const signature = cosSignature(credentials.cos.secret, auth, { method: request.method, path: decodeURIComponent(request.path), query, headers: request.headers });
    request.headers.authorization = `q-sign-algorithm=sha1&q-ak=${auth.accessKey}&q-sign-time=${window}&q-key-time=${window}&q-header-list=&q-url-param-list=${auth.paramList.join(';')}&q-signature=${signature}`;
  } catch {
    // A path or key that is not valid UTF-8 cannot be signed; it goes unsigned, another probe.
  }
}

/** Sends `runs` generated requests to `app`; stops at the first 5xx and shrinks it. */
export async function fuzzServer(app: FastifyInstance, authority: CredentialAuthority, runs: number): Promise<FuzzReport> {
  const routes = listRoutes(app.printRoutes({ commonPrefix: false }));
  const credentials = await issueCredentials(app, authority);
  let requests = 0;
  let signedAccepted = 0;
  const result = await fc.check(
    fc.asyncProperty(
      fc.nat({ max: 100_000 }),
      fc.array(hostile, { minLength: 1, maxLength: 4 }),
      fc.dictionary(fc.constantFrom(...QUERY_KEYS), hostile, { maxKeys: 4 }),
      body,
      fc.constantFrom<Caller>('none', 'junk', 'reader', 'admin', 'enos', 'explorer', 'signed', 'signed'),
      async (pick, pathValues, queryValues, generated, caller) => {
        requests++;
        const route = routes[pick % routes.length]!;
        let i = 0;
        const path = route.url.replace(/:[A-Za-z]+|\*/g, () => encodeSegment(pathValues[i++ % pathValues.length] ?? 'x'));
        const query = new URLSearchParams();
        for (const [key, value] of Object.entries(queryValues)) query.set(key, value.replace(/[\uD800-\uDFFF]/g, '\uFFFD'));
        const headers: Record<string, string> = { 'content-type': generated.type };
        if (caller === 'junk') headers.authorization = 'Bearer \u00ff junk';
        if (caller === 'reader') headers.authorization = `Bearer ${credentials.reader}`;
        if (caller === 'admin') headers.authorization = `Bearer ${credentials.admin}`;
        if (caller === 'enos') headers['apim-accesstoken'] = credentials.enos;
        if (caller === 'explorer') headers.cookie = credentials.explorerCookie;
        if (caller === 'signed') sign({ method: route.method, path, query, headers }, credentials);
        const options: InjectOptions = {
          method: route.method as InjectOptions['method'],
          url: `${path}${query.size ? `?${query}` : ''}`,
          headers,
          ...(route.method === 'GET' || route.method === 'DELETE' ? {} : { payload: generated.payload }),
        };
        const response = await app.inject(options);
        if (caller === 'signed' && response.statusCode !== 401 && response.statusCode !== 403) signedAccepted++;
        if (response.statusCode >= 500) {
          throw new Error(`${route.method} ${options.url} (${caller}) → ${response.statusCode} ${response.body.slice(0, 300)}`);
        }
      },
    ),
    { numRuns: runs },
  );
  const healthy = (await app.inject({ method: 'GET', url: '/healthz' })).statusCode === 200;
  const failure = result.failed ? String(result.errorInstance instanceof Error ? result.errorInstance.message : result.errorInstance) : undefined;
  return { requests, routes: routes.length, signedAccepted, counterexample: failure ?? (healthy ? undefined : 'the server stopped answering /healthz') };
}

/** The chaos scenario: a server over the stack's database, fuzzed with `runs` requests. */
export async function fuzzEveryRoute(stack: ChaosStack, runs = 4000): Promise<ChaosOutcome> {
  const started = Date.now();
  const authority = new CredentialAuthority(stack.database.db, new SecretSeal(randomBytes(32).toString('hex')));
  const app = await buildServer({ engine: stack.engine, authority });
  try {
    const report = await fuzzServer(app, authority, runs);
    const passed = report.counterexample === undefined;
    return outcome(
      `fuzz ${report.routes} routes, all surfaces`,
      started,
      report.requests,
      passed ? report.requests : report.requests - 1,
      passed ? `0 5xx (${report.signedAccepted} signed requests past auth)` : report.counterexample!.slice(0, 200),
      passed,
    );
  } finally {
    await app.close();
  }
}
