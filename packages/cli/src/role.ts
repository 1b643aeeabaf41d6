/** The roles a flowline process can play; `start` plays all of them. */
export const Role = { API: 'api', WORKER: 'worker', SCHEDULER: 'scheduler' } as const;
export type Role = (typeof Role)[keyof typeof Role];
