import { createHash, randomBytes } from 'node:crypto';
import { buildServer, camSafeUrlEncode, cosSignature, pandoraSignature } from '@flowline/api';
import { CredentialAuthority, SecretSeal, type IssuedCredential } from '@flowline/engine';
import fc from 'fast-check';
import type { FastifyInstance, InjectOptions, LightMyRequestResponse } from 'fastify';
import type { ChaosStack } from './chaosStack.ts';
import { outcome, type ChaosOutcome } from './chaosOutcome.ts';
import { PROTOTYPE_KEYS, encodeLoose, hostileBody, hostileJson, hostileString } from './hostileInput.ts';
import { mutate, slotsOf, type MutatedRequest } from './requestMutation.ts';
import { routeBaselines, type Baseline, type Caller, type FuzzRecords } from './routeBaselines.ts';

/**
 * Property: no request a client can send makes flowline answer 5xx, on any
 * route of any surface — native and every registered dialect — and the server
 * stays up. Routes are read from the server itself, so a new dialect is fuzzed
 * as soon as it is registered. Requests carry no, junk or valid credentials of
 * every scheme (bearer, EnOS token, Explorer session, COS and Pandora
 * signatures computed over the generated request), so they reach past each
 * dialect's auth into its handlers.
 *
 * Two kinds of request: a valid request of a route (routeBaselines) with one
 * of its strings or objects — path parameter, query value or key, JSON node,
 * Explorer's filter JSON — made hostile (hostileInput.ts: NUL, lone
 * surrogates, deep nesting, prototype keys), so the hostile value reaches the
 * handler rather than stopping at a schema; and wholly random requests to
 * every route the server lists.
 */
export interface FuzzReport {
  readonly requests: number;
  readonly routes: number;
  /** signed requests (COS, Pandora) that got past the signature check: proof the fuzzer reaches those handlers */
  readonly signedAccepted: number;
  /** mutated valid requests answered 2xx: the hostile value was taken, not refused */
  readonly mutatedAccepted: number;
  /** the first request answered 5xx, shrunk to a small case; undefined when none */
  readonly counterexample: string | undefined;
}

/** A tenant's org: its admin may change its definitions, which the shared catalog's admin may not. */
const FUZZ_ORG = 'fuzz';

interface Credentials {
  readonly reader: string;
  readonly admin: string;
  readonly superadmin: string;
  readonly enos: string;
  readonly explorerCookie: string;
  readonly cos: IssuedCredential;
  readonly qiniu: IssuedCredential;
}

/** A request to send: where, as whom, with what. */
interface Plan extends MutatedRequest {
  readonly caller: Caller;
  readonly contentType: string;
  readonly mutated: boolean;
}

/**
 * Reads fastify's route tree print-out into method + full path. Each line is
 * a segment under the last line one level less indented (`│   ├── /:id (GET)`
 * under `├── v1/runs (POST, GET)`), so paths are the segments joined.
 */
function listRoutes(printed: string): { method: string; url: string }[] {
  const found: { method: string; url: string }[] = [];
  const segments: string[] = [];
  for (const line of printed.split('\n')) {
    const match = /^([│ ]*)(?:[├└]── )?(\S+)(?: \(([A-Z, ]+)\))?$/.exec(line);
    if (!match) continue;
    const depth = match[1]!.length / 4 + (line.includes('── ') ? 1 : 0);
    segments.length = depth;
    segments[depth] = match[2]!;
    const url = segments.join('').replace(/^\/+/, '/');
    for (const method of (match[3] ?? '').split(', ')) if (method && method !== 'HEAD') found.push({ method, url });
  }
  return found;
}

const randomBody = fc.oneof(
  { arbitrary: hostileBody.map((payload) => ({ payload, type: 'application/json' })), weight: 4 },
  hostileString.map((s) => ({ payload: s, type: 'application/json' })),
  hostileString.map((s) => ({ payload: s, type: 'text/plain' })),
  hostileString.map((s) => ({ payload: `<Request><a>${s}</a></Request>`, type: 'application/xml' })),
  fc.uint8Array({ maxLength: 200 }).map((b) => ({ payload: Buffer.from(b).toString('latin1'), type: 'application/json' })),
  fc.constant({ payload: `${'['.repeat(50_000)}${']'.repeat(50_000)}`, type: 'application/json' }),
  fc.constant({ payload: '{"a":1}', type: 'multipart/form-data; boundary=x' }),
);

const QUERY_KEYS = [
  'page', 'pageSize', 'limit', 'cursor', 'status', 'filter', 'size', 'nextToken', 'action', 'orgId', 'userId', 'from', 'to', 'workflowId',
  'states', 'orderByTime', 'startCreationTime', 'endCreationTime', 'name', 'flowInstId', 'count', 'workflow', 'bizId', 'bizType', 'flowName',
  'jobId', 'object', ...PROTOTYPE_KEYS,
];

const CALLERS: readonly Caller[] = ['none', 'junk', 'reader', 'admin', 'superadmin', 'enos', 'explorer', 'signed'];

/** A wholly random request to one of the listed routes. */
function randomPlan(routes: readonly { method: string; url: string }[]): fc.Arbitrary<Plan> {
  return fc
    .record({
      pick: fc.nat({ max: 100_000 }),
      pathValues: fc.array(hostileString, { minLength: 1, maxLength: 4 }),
      query: fc.array(fc.tuple(fc.oneof({ arbitrary: fc.constantFrom(...QUERY_KEYS), weight: 4 }, hostileString), fc.oneof({ arbitrary: hostileString, weight: 3 }, hostileJson)), { maxLength: 4 }),
      body: randomBody,
      caller: fc.constantFrom(...CALLERS),
    })
    .map(({ pick, pathValues, query, body, caller }) => {
      const route = routes[pick % routes.length]!;
      let i = 0;
      const path = route.url.replace(/:[A-Za-z]+|\*/g, () => encodeLoose(pathValues[i++ % pathValues.length] ?? 'x'));
      const search = query.length ? `?${query.map(([k, v]) => `${encodeLoose(k)}=${encodeLoose(v)}`).join('&')}` : '';
      const hasBody = route.method !== 'GET' && route.method !== 'DELETE';
      return { method: route.method, path, query, search, payload: hasBody ? body.payload : undefined, contentType: body.type, caller, mutated: false };
    });
}

/** A route's valid request with one slot made hostile, mostly as the caller it needs. */
function mutationPlan(baselines: readonly Baseline[]): fc.Arbitrary<Plan> {
  return fc
    .record({
      pick: fc.nat({ max: 100_000 }),
      slot: fc.nat({ max: 100_000 }),
      text: hostileString,
      json: hostileJson,
      preferJson: fc.boolean(),
      key: fc.oneof(fc.constantFrom(...PROTOTYPE_KEYS), hostileString),
      caller: fc.option(fc.constantFrom(...CALLERS), { freq: 6 }),
    })
    .map(({ pick, slot, caller, ...hostile }) => {
      const baseline = baselines[pick % baselines.length]!;
      const slots = slotsOf(baseline);
      const request = mutate(baseline, slots[slot % slots.length]!, hostile);
      return { ...request, caller: caller ?? baseline.caller, contentType: 'application/json', mutated: true };
    });
}

function authorize(plan: Plan, headers: Record<string, string>, credentials: Credentials): void {
  switch (plan.caller) {
    case 'junk':
      headers.authorization = 'Bearer \u00ff junk';
      return;
    case 'reader':
    case 'admin':
    case 'superadmin':
      headers.authorization = `Bearer ${credentials[plan.caller]}`;
      return;
    case 'enos':
      headers['apim-accesstoken'] = credentials.enos;
      return;
    case 'explorer':
      headers.cookie = credentials.explorerCookie;
      return;
    case 'signed':
      sign(plan, headers, credentials);
      return;
    case 'none':
      return;
  }
}

/** Signs a request with the scheme of the surface it goes to (COS for Tencent CI paths, Pandora for /v2/workflows). */
function sign(request: MutatedRequest, headers: Record<string, string>, credentials: Credentials): void {
  if (request.path.startsWith('/v2/workflows')) {
    headers.date = new Date().toUTCString();
    // Pandora signs Content-MD5 and checks the body against it
    if (request.payload !== undefined) headers['content-md5'] = createHash('md5').update(request.payload).digest('base64');
    const signature = pandoraSignature(credentials.qiniu.secret, { method: request.method, headers, url: `${request.path}${request.search}` });
    headers.authorization = `Pandora ${credentials.qiniu.accessKey}:${signature.toString('base64url')}=`;
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
    const signature = cosSignature(credentials.cos.secret, auth, { method: request.method, path: decodeURIComponent(request.path), query, headers });
    headers.authorization = `q-sign-algorithm=sha1&q-ak=${auth.accessKey}&q-sign-time=${window}&q-key-time=${window}&q-header-list=&q-url-param-list=${auth.paramList.join(';')}&q-signature=${signature}`;
  } catch {
    // A path or value that is not valid UTF-16 cannot be signed; it goes unsigned, another probe.
  }
}

async function issueCredentials(app: FastifyInstance, authority: CredentialAuthority): Promise<Credentials> {
  const issue = (kind: IssuedCredential['kind'], role: IssuedCredential['role']) => authority.issue({ kind, role, orgId: FUZZ_ORG });
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
    superadmin: (await issue('bearer', 'superadmin')).secret,
    enos: (await issue('enos', 'admin')).secret,
    explorerCookie: String(connected.headers['set-cookie'] ?? '').split(';')[0]!,
    cos: await issue('cos', 'admin'),
    qiniu: await issue('qiniu', 'admin'),
  };
}

/** Sends a plan as its caller. */
function send(app: FastifyInstance, plan: Plan, credentials: Credentials): Promise<LightMyRequestResponse> {
  const headers: Record<string, string> = { 'content-type': plan.contentType };
  authorize(plan, headers, credentials);
  const options: InjectOptions = {
    method: plan.method as InjectOptions['method'],
    url: `${plan.path}${plan.search}`,
    headers,
    ...(plan.payload === undefined ? {} : { payload: plan.payload }),
  };
  return app.inject(options);
}

/** The records baselines name, made through the API as a tenant would make them. */
async function makeRecords(app: FastifyInstance, credentials: Credentials): Promise<FuzzRecords> {
  const call = async (plan: Omit<Plan, 'search' | 'query' | 'mutated' | 'contentType'> & { query?: [string, string][] }) => {
    const query = plan.query ?? [];
    const response = await send(
      app,
      { ...plan, query, search: query.length ? `?${new URLSearchParams(query)}` : '', contentType: 'application/json', mutated: false },
      credentials,
    );
    if (response.statusCode >= 300) throw new Error(`fuzz set-up: ${plan.method} ${plan.path} → ${response.statusCode} ${response.body.slice(0, 200)}`);
    return response;
  };
  const workflow = 'FuzzFlow';
  const definition = { name: workflow, nodes: [{ name: 'a', type: 'noop' }, { name: 'b', type: 'noop', dependsOn: ['a'] }], schedules: [{ name: 'nightly', expression: '0 0 23 * * ?' }] };
  const defined = (await call({ method: 'POST', path: '/v1/definitions', payload: JSON.stringify(definition), caller: 'admin' })).json();
  const run = (await call({ method: 'POST', path: '/v1/runs', payload: JSON.stringify({ workflow }), caller: 'admin' })).json();
  const schedule = (await call({ method: 'GET', path: '/v1/schedules', payload: undefined, caller: 'reader' })).json().items[0];
  const search = { type: 0, owner: '', fromTriggerTime: 0, toTriggerTime: 4_102_444_800_000, status: '', pagination: { pageNo: 1, pageSize: 1 } };
  const enosPath = '/batch-processing-service/v2.1/flowInstances';
  const instances = await call({ method: 'POST', path: enosPath, query: [['action', 'search'], ['userId', 'u'], ['orgId', FUZZ_ORG]], payload: JSON.stringify(search), caller: 'enos' });
  const executions = (await call({ method: 'GET', path: '/workflowexecution', payload: undefined, caller: 'signed' })).body;
  const pandoraWorkflow = 'FuzzPandora';
  await call({ method: 'POST', path: `/v2/workflows/${pandoraWorkflow}`, payload: JSON.stringify({ region: 'nb' }), caller: 'signed' });
  return {
    orgId: FUZZ_ORG,
    workflow,
    definitionId: defined.id,
    runId: run.id,
    runSeq: run.seq,
    scheduleId: schedule.id,
    enosInstanceId: instances.json().data.flowInsts[0].instanceId,
    tencentRunId: /<RunId>(\w+)<\/RunId>/.exec(executions)![1]!,
    tencentWorkflowId: /<WorkflowId>(\w+)<\/WorkflowId>/.exec(executions)![1]!,
    pandoraWorkflow,
  };
}

/** Sends `runs` generated requests to `app`; stops at the first 5xx and shrinks it. */
export async function fuzzServer(app: FastifyInstance, authority: CredentialAuthority, runs: number): Promise<FuzzReport> {
  const routes = listRoutes(app.printRoutes({ commonPrefix: false }));
  const credentials = await issueCredentials(app, authority);
  const baselines = routeBaselines(await makeRecords(app, credentials));
  let requests = 0;
  let signedAccepted = 0;
  let mutatedAccepted = 0;
  const result = await fc.check(
    fc.asyncProperty(fc.oneof({ arbitrary: mutationPlan(baselines), weight: 3 }, { arbitrary: randomPlan(routes), weight: 1 }), async (plan) => {
      requests++;
      const response = await send(app, plan, credentials);
      if (plan.caller === 'signed' && response.statusCode !== 401 && response.statusCode !== 403) signedAccepted++;
      if (plan.mutated && response.statusCode < 300) mutatedAccepted++;
      if (response.statusCode >= 500) {
        throw new Error(`${plan.method} ${plan.path}${plan.search.slice(0, 300)} (${plan.caller}) ${String(plan.payload ?? '').slice(0, 300)} → ${response.statusCode} ${response.body.slice(0, 300)}`);
      }
    }),
    { numRuns: runs },
  );
  const healthy = (await app.inject({ method: 'GET', url: '/healthz' })).statusCode === 200;
  const failure = result.failed ? String(result.errorInstance instanceof Error ? result.errorInstance.message : result.errorInstance) : undefined;
  return { requests, routes: routes.length, signedAccepted, mutatedAccepted, counterexample: failure ?? (healthy ? undefined : 'the server stopped answering /healthz') };
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
      passed
        ? `0 5xx (${report.signedAccepted} signed requests past auth, ${report.mutatedAccepted} hostile values taken)`
        : report.counterexample!.slice(0, 400),
      passed,
    );
  } finally {
    await app.close();
  }
}
