import type { HistoryApi } from './historyQuery.ts';

/** EnOS `POST …/flowInstances?action=search`: pageNo/pageSize with sorters, trigger-time window required. */
export const enosHistory: HistoryApi = {
  name: 'enos',
  route: { method: 'POST', url: '/batch-processing-service/v2.1/flowInstances' },
  async queries({ baseUrl, history, orgId, issue }) {
    const { secret } = await issue('enos');
    const search = (body: Record<string, unknown>, pagination: Record<string, unknown>) => () =>
      fetch(`${baseUrl}/batch-processing-service/v2.1/flowInstances?action=search&userId=bench&orgId=${orgId}`, {
        method: 'POST',
        headers: { 'apim-accesstoken': secret, 'content-type': 'application/json' },
        body: JSON.stringify({
          type: 0,
          owner: '',
          fromTriggerTime: history.oldest.getTime(),
          toTriggerTime: history.newest.getTime(),
          status: '',
          ...body,
          pagination,
        }),
      });
    return [
      { name: 'page 1', send: search({}, { pageNo: 0, pageSize: 50 }) },
      { name: 'deep page (pageNo 199 of 50)', send: search({}, { pageNo: 199, pageSize: 50 }) },
      { name: 'filter status=-1', send: search({ status: '-1' }, { pageNo: 0, pageSize: 50 }) },
      {
        name: 'filter expression, sort end_time',
        send: search({ expression: history.workflows[3] }, { pageNo: 0, pageSize: 50, sorters: [{ field: 'end_time', order: 'DESC' }] }),
      },
    ];
  },
};
