/**
 * The EnOS seed's samples (../shared/seeds/001_d19c5d8b9ca9d34a.txt). The
 * seed prints `graph` with its inner quotes unescaped; here it is the JSON
 * string the vendor actually sends (the same text, escaped).
 */
export const ENOS_SEARCH_REQUEST = {
  method: 'POST',
  url: '/batch-processing-service/v2.1/flowInstances?action=search&userId=yourUserId&orgId=yourOrgId',
  body: {
    type: 1,
    fromTriggerTime: 1573648355000,
    toTriggerTime: 1573698120000,
    status: 1,
    owner: '',
    expression: '',
    pagination: {
      pageNo: 1,
      pageSize: 10,
      sorters: [{ field: 'update_time', order: 'ASC' }],
    },
  },
} as const;

export const ENOS_SEARCH_SAMPLE = {
  code: 0,
  msg: 'OK',
  data: {
    flowInsts: [
      {
        instanceId: '2809-20190812080700',
        flowId: 2809,
        flowName: '21',
        freq: '0 0 0 * * ? *',
        cycle: 'D',
        parameters: '[]',
        doAs: 'yourDoAs',
        graph: JSON.stringify({
          creator: 'yourCreator',
          freq: '0 0 0 * * ? *',
          alertMode: 3,
          owners: 'yourOwners',
          cycle: 'D',
          do_as: 'yourDoAs',
          flows: [],
          name: '21',
          instId: '2809-20190812080700',
          id: 2809,
          relations: [],
          parameters: '[]',
          tasks: [{ task_name: 'tass', taskInstId: '104890-20190812080700', x: 0.002, y: 0.002, task_id: 104890, nodeId: 't_104890' }],
        }),
        status: 1,
        statusDesc: 'SUCCESS',
        triggerTime: '2019-08-12 08:07:22',
        startTime: '2019-08-12 08:07:30',
        endTime: '2019-08-12 08:07:32',
        timestamp: '2019-08-12 08:09:48.0',
        virtual: false,
        owner: 'yourOwners',
        hasEditPri: true,
        hasReadPri: true,
        isCancelled: false,
      },
    ],
    count: 2,
  },
};
