import type { HistoryApi } from './historyQuery.ts';

/** `GET /v1/runs`: keyset paged by seq; the cursor is the seq of the last row seen, base64url("s<seq>"). */
export const nativeHistory: HistoryApi = {
  name: 'native',
  route: { method: 'GET', url: '/v1/runs' },
  async queries({ baseUrl, history, issue }) {
    const { secret } = await issue('bearer');
    const get = (query: string) => () => fetch(`${baseUrl}/v1/runs?${query}`, { headers: { authorization: `Bearer ${secret}` } });
    const deepCursor = Buffer.from(`s${history.middleSeq}`).toString('base64url');
    return [
      { name: 'page 1', send: get('limit=50') },
      { name: 'deep page (middle of history)', send: get(`limit=50&cursor=${deepCursor}`) },
      { name: 'filter status=FAIL', send: get('limit=50&status=FAIL') },
      { name: 'filter workflow + status, deep', send: get(`limit=50&workflow=${history.workflows[1]}&status=CANCEL&cursor=${deepCursor}`) },
      { name: 'filter bizType', send: get(`limit=50&bizType=${history.bizTypes[2]}`) },
    ];
  },
};
