/** NebulaGraph Explorer's documented responses: seed 002_62d7636a9b716210 (job list), and the job detail page of the same docs. */
export const EXPLORER_JOB_LIST = {
  code: 0,
  data: {
    items: [
      {
        id: 105,
        name: 'workflow_q745a_20220715090915',
        workflowId: '4216617528',
        workflowName: 'workflow_q745a',
        status: 2,
        runBeginTime: 1657847358000,
        runEndTime: 1657847364000,
        createTime: 1657847355906,
      },
    ],
    total: 2,
    Page: 1,
    PageSize: 10,
  },
  message: 'Success',
};

/** `GET /api-open/v1/jobs/1964` as documented ("查询指定作业详情"). */
export const EXPLORER_JOB_DETAIL = {
  code: 0,
  data: {
    id: 1964,
    name: 'workflow_xkkjf_20220712103332',
    workflowId: '3992429968',
    workflowName: 'workflow_xkkjf',
    status: 2,
    tasks: [
      {
        id: 'f93dea90fc3a11ecac7e6da0662c195b',
        name: 'BFS',
        runBeginTime: '2022-07-12T10:33:35+08:00',
        runEndTime: '2022-07-12T10:33:38+08:00',
        status: 2,
      },
    ],
  },
  message: 'Success',
};
