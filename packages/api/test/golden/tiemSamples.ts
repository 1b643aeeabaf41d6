/**
 * The TiEM seed's samples (../shared/seeds/000_3cd2fac0dd0fa137.txt), verbatim
 * but for list items beyond the second, which repeat the first's shape.
 */
export const TIEM_LIST_REQUEST = {
  method: 'GET',
  url: '/api/v1/workflow/?page=1&pageSize=10',
  headers: { accept: 'application/json', 'Content-Type': 'application/json' },
} as const;

export const TIEM_LIST_SAMPLE = {
  code: 0,
  message: 'OK',
  data: {
    workFlows: [
      {
        id: 'fXgXFrNVRv2GLE0vYJvsYw',
        name: 'BackupCluster',
        bizId: 'oEcox8lMQ7KMswDebRwIZg',
        bizType: 'cluster',
        status: 'Finished',
        createTime: '2022-04-28T16:00:41.700877107+08:00',
        updateTime: '2022-04-28T16:00:42.278458882+08:00',
        deleteTime: '0001-01-01T00:00:00Z',
      },
      {
        id: 'afzkygyoQlSGKwZBqbxqTA',
        name: 'CheckPlatform',
        bizId: '8N78RjBvSZ6KVofkdw_AIg',
        bizType: 'checkReport',
        status: 'Finished',
        createTime: '2022-04-27T23:00:00.014602876+08:00',
        updateTime: '2022-04-27T23:00:02.459227573+08:00',
        deleteTime: '0001-01-01T00:00:00Z',
      },
    ],
  },
  page: { page: 1, pageSize: 10, total: 162 },
};

export const TIEM_DETAIL_SAMPLE = {
  code: 0,
  message: 'OK',
  data: {
    info: {
      id: 'fXgXFrNVRv2GLE0vYJvsYw',
      name: 'BackupCluster',
      bizId: 'oEcox8lMQ7KMswDebRwIZg',
      bizType: 'cluster',
      status: 'Finished',
      createTime: '2022-04-28T16:00:41.700877107+08:00',
      updateTime: '2022-04-28T16:00:42.278458882+08:00',
      deleteTime: '0001-01-01T00:00:00Z',
    },
    nodes: [
      {
        id: 'ZoSWpolYR9OugKVjUetDag',
        name: 'backup',
        parameters: '',
        result:
          'get cluster oEcox8lMQ7KMswDebRwIZg tidb address: 172.16.5.148:10002 \nconvert storage type: s3 \nbackup cluster oEcox8lMQ7KMswDebRwIZg \nCompleted.\n',
        status: 'Finished',
        startTime: '2022-04-28T16:00:41.732208493+08:00',
        endTime: '2022-04-28T16:00:42.256659781+08:00',
      },
      {
        id: '07LWNs-WSQGADeXpgu2zfQ',
        name: 'updateBackupRecord',
        parameters: '',
        result: 'update backup record h6IhUQh-Q32MDOfcVieYgA of cluster oEcox8lMQ7KMswDebRwIZg \nCompleted.\n',
        status: 'Finished',
        startTime: '2022-04-28T16:00:42.256696813+08:00',
        endTime: '2022-04-28T16:00:42.269754982+08:00',
      },
      {
        id: 'Y1Nk8KdpTiujsMoG6H3MsA',
        name: 'end',
        parameters: '',
        result: 'Completed.\n',
        status: 'Finished',
        startTime: '2022-04-28T16:00:42.26977709+08:00',
        endTime: '2022-04-28T16:00:42.277849774+08:00',
      },
    ],
    nodeNames: ['backup', 'updateBackupRecord', 'end'],
  },
};
