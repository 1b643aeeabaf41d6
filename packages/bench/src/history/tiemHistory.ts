import type { HistoryApi } from './historyQuery.ts';

/** TiEM `GET /api/v1/workflow/`: numbered pages with the total of matching rows. */
export const tiemHistory: HistoryApi = {
  name: 'tiem',
  route: { method: 'GET', url: '/api/v1/workflow/' },
  async queries({ baseUrl, history, issue }) {
    const { secret } = await issue('bearer');
    const get = (query: string) => () => fetch(`${baseUrl}/api/v1/workflow/?${query}`, { headers: { authorization: `Bearer ${secret}` } });
    return [
      { name: 'page 1 with total', send: get('page=1&pageSize=10') },
      // TiEM pages are numbered; flowline serves them down to row 10,000 (MAX_PAGE_DEPTH).
      { name: 'deep page (rows 9,990–10,000)', send: get('page=1000&pageSize=10') },
      { name: 'filter status=Error', send: get('page=1&pageSize=10&status=Error') },
      { name: 'filter flowName + bizType', send: get(`page=1&pageSize=10&flowName=${history.workflows[2]}&bizType=${history.bizTypes[1]}`) },
    ];
  },
};
