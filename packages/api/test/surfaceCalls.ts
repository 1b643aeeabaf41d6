import { createHash } from 'node:crypto';
import type { FastifyInstance, LightMyRequestResponse } from 'fastify';
import { camSafeUrlEncode, cosSignature, pandoraSignature } from '../src/index.ts';

/**
 * Calls as a client of each signed surface would make them, for tests that
 * drive every surface in turn (the audit trail's): a Pandora request signed
 * with a qiniu AK/SK, a Tencent CI request signed with COS v5 keys, and an
 * Explorer session opened with an explorer account.
 */
export interface KeyPair {
  readonly accessKey: string;
  readonly secret: string;
}

/** A Pandora request with its `Date`, `Content-MD5` and `Pandora AK:sign` headers. */
export function pandoraCall(app: FastifyInstance, key: KeyPair, method: string, url: string, body?: unknown): Promise<LightMyRequestResponse> {
  const payload = body === undefined ? undefined : JSON.stringify(body);
  const headers: Record<string, string> = {
    date: new Date().toUTCString(),
    ...(payload === undefined ? {} : { 'content-type': 'application/json', 'content-md5': createHash('md5').update(payload).digest('base64') }),
  };
  const signature = pandoraSignature(key.secret, { method, headers, url });
  headers.authorization = `Pandora ${key.accessKey}:${signature.toString('base64url')}=`;
  return app.inject({ method: method as 'POST', url, headers, ...(payload === undefined ? {} : { payload }) });
}

/** A Tencent CI request signed with COS v5, every query parameter in the signature. */
export function cosCall(app: FastifyInstance, key: KeyPair, method: string, path: string, query: Record<string, string>): Promise<LightMyRequestResponse> {
  const now = Math.floor(Date.now() / 1000);
  const window = `${now - 60};${now + 600}`;
  const params = new Map(Object.entries(query));
  const auth = {
    accessKey: key.accessKey,
    signTime: window,
    keyTime: window,
    headerList: [],
    paramList: [...params.keys()].map((k) => camSafeUrlEncode(k).toLowerCase()),
    signature: '',
  };
  const signature = cosSignature(key.secret, auth, { method, path, query: params, headers: {} });
  const authorization = `q-sign-algorithm=sha1&q-ak=${key.accessKey}&q-sign-time=${window}&q-key-time=${window}&q-header-list=&q-url-param-list=${auth.paramList.join(';')}&q-signature=${signature}`;
  return app.inject({ method: method as 'POST', url: `${path}?${new URLSearchParams(query).toString()}`, headers: { authorization } });
}

/** Opens an Explorer session for an explorer account; answers the `explorer_token` to send as a header. */
export async function explorerToken(app: FastifyInstance, key: KeyPair): Promise<string> {
  const response = await app.inject({
    method: 'POST',
    url: '/api-open/v1/connect',
    headers: { authorization: `Bearer ${Buffer.from(JSON.stringify([key.accessKey, key.secret])).toString('base64')}` },
    payload: { address: '127.0.0.1', port: 9669 },
  });
  const cookie = response.headers['set-cookie']?.toString() ?? '';
  const token = /explorer_token=([^;]+)/.exec(cookie)?.[1];
  if (!token) throw new Error(`connect failed: ${response.statusCode} ${response.body}`);
  return token;
}
