/** Test fixtures against the real Postgres and Redis. Not part of the runtime API. */
export * from './testDatabase.ts';
export * from './flowlineProcess.ts';
export * from './screenshots.ts';
export * from './engineLoops.ts';
export * from './webhookReceiver.ts';
export * from './loopbackPort.ts';
export * from './pgBouncer.ts';
export * from './redisCluster.ts';
export * from './installationKeys.ts';
export * from './replicatedPostgres.ts';
export * from './loopbackOnly.ts';
export * from './testEngine.ts';
