import { createHash, createHmac } from 'node:crypto';
import type { HistoryApi } from './historyQuery.ts';

const sha1 = (text: string) => createHash('sha1').update(text).digest('hex');
const hmacSha1 = (key: string, text: string) => createHmac('sha1', key).update(text).digest('hex');
const encode = (text: string) => encodeURIComponent(text).replace(/[!'()*]/g, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`);

/** COS signature v5 over the method, path and every query parameter (no headers), valid for ten minutes. */
function cosAuthorization(secretId: string, secretKey: string, path: string, query: URLSearchParams): string {
  const now = Math.floor(Date.now() / 1000);
  const keyTime = `${now - 60};${now + 600}`;
  const params = [...query.entries()].map(([k, v]) => [encode(k.toLowerCase()), encode(v)] as const).sort(([a], [b]) => (a < b ? -1 : 1));
  const httpString = `get\n${path}\n${params.map(([k, v]) => `${k}=${v}`).join('&')}\n\n`;
  const signature = hmacSha1(hmacSha1(secretKey, keyTime), `sha1\n${keyTime}\n${sha1(httpString)}\n`);
  return [
    'q-sign-algorithm=sha1',
    `q-ak=${secretId}`,
    `q-sign-time=${keyTime}`,
    `q-key-time=${keyTime}`,
    'q-header-list=',
    `q-url-param-list=${params.map(([k]) => k).join(';')}`,
    `q-signature=${signature}`,
  ].join('&');
}

/** Tencent CI `GET /workflowexecution`: XML, keyset-paged by NextToken, COS-signed. */
export const tencentHistory: HistoryApi = {
  name: 'tencent',
  route: { method: 'GET', url: '/workflowexecution' },
  async queries({ baseUrl, history, issue }) {
    const credential = await issue('cos');
    const get = (params: Record<string, string>) => () => {
      const query = new URLSearchParams(params);
      const authorization = cosAuthorization(credential.accessKey!, credential.secret, '/workflowexecution', query);
      return fetch(`${baseUrl}/workflowexecution?${query}`, { headers: { authorization } });
    };
    return [
      { name: 'page 1', send: get({ size: '100' }) },
      { name: 'deep page (NextToken in the middle)', send: get({ size: '100', nextToken: String(history.middleSeq) }) },
      { name: 'filter states=Failed', send: get({ size: '100', states: 'Failed' }) },
      { name: 'filter states=Cancel, deep', send: get({ size: '100', states: 'Cancel', nextToken: String(history.middleSeq) }) },
    ];
  },
};
