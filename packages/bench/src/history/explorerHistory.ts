import type { HistoryApi } from './historyQuery.ts';

/** Explorer `GET /api-open/v1/jobs`: a session cookie from /connect, numbered pages with a total, a JSON filter. */
export const explorerHistory: HistoryApi = {
  name: 'explorer',
  route: { method: 'GET', url: '/api-open/v1/jobs' },
  async queries({ baseUrl, history, issue }) {
    const account = await issue('explorer');
    const login = Buffer.from(JSON.stringify([account.accessKey, account.secret])).toString('base64');
    const connected = await fetch(`${baseUrl}/api-open/v1/connect`, {
      method: 'POST',
      headers: { authorization: `Bearer ${login}`, 'content-type': 'application/json' },
      body: JSON.stringify({ address: '127.0.0.1', port: 9669 }),
    });
    const cookie = (connected.headers.get('set-cookie') ?? '').split(';')[0]!;
    if (!connected.ok || !cookie) throw new Error(`explorer connect answered ${connected.status}: ${await connected.text()}`);
    const get = (query: string) => () => fetch(`${baseUrl}/api-open/v1/jobs?${query}`, { headers: { cookie } });
    const filter = (value: Record<string, unknown>) => encodeURIComponent(JSON.stringify(value));
    return [
      { name: 'page 1 with total', send: get('page=1&pageSize=10') },
      { name: 'deep page (rows 9,990–10,000)', send: get('page=1000&pageSize=10') },
      { name: 'filter status=3 (failed)', send: get(`page=1&pageSize=10&filter=${filter({ status: 3 })}`) },
      { name: 'filter workflow name', send: get(`page=1&pageSize=10&filter=${filter({ workflowName: history.workflows[0] })}`) },
    ];
  },
};
